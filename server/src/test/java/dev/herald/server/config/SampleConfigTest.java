package dev.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commented sample config names every setting, and uncommented it is a valid config with the defaults. */
class SampleConfigTest {
    private static final Path SAMPLE = Path.of("../herald.sample.toml");

    @Test
    void sampleDocumentsEverySetting() throws Exception {
        String sample = Files.readString(SAMPLE);
        for (Option o : Option.values()) {
            if (o != Option.CONFIG) {
                assertThat(sample).as("herald.sample.toml documents " + o.key()).contains("\n# " + o.key() + " = ");
            }
        }
    }

    @Test
    void uncommentedSampleLoadsToTheDefaults(@TempDir Path dir) throws Exception {
        String uncommented = Files.readString(SAMPLE).lines()
                .map(l -> l.matches("# [a-z-]+ = .*") ? l.substring(2) : l)
                .filter(l -> !l.startsWith("push-hosts") && !l.startsWith("vapid-p") && !l.startsWith("user-token-secret"))
                .reduce("", (a, b) -> a + b + "\n");
        Files.writeString(dir.resolve("herald.toml"), uncommented);

        Settings fromSample = SettingsLoader.load(Map.of(), Map.of(), dir);
        Settings defaults = SettingsLoader.load(Map.of(), Map.of(), Files.createTempDirectory("empty"));

        assertThat(fromSample).usingRecursiveComparison().isEqualTo(defaults);
    }
}
