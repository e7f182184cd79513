package dev.herald.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** keys create/list/revoke and vapid show against a data dir; send through a running server. */
class ServerCommandsTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return HeraldCommand.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    @Test
    void keysAreCreatedListedAndRevokedInTheDataDir(@TempDir Path dir) {
        String dataDir = dir.toString();

        assertThat(run("keys", "create", "--scope", "send,manage", "--name", "backend", "--data-dir", dataDir)).isZero();
        String key = out();
        assertThat(key).startsWith("hk_").hasSize(46);
        assertThat(run("keys", "list", "--data-dir", dataDir)).isZero();
        String listing = out();
        String id = listing.split("\\s+")[0];
        assertThat(listing).contains("backend").contains("send,manage").doesNotContain(key);
        assertThat(run("keys", "revoke", id, "--data-dir", dataDir)).isZero();
        assertThat(run("keys", "list", "--data-dir", dataDir)).isZero();
        assertThat(out()).contains("REVOKED");
        assertThat(run("keys", "revoke", id, "--data-dir", dataDir)).isEqualTo(2);
        assertThat(run("keys", "create", "--scope", "root", "--data-dir", dataDir)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown scope 'root'");
    }

    @Test
    void aBooleanFlagFollowedByAnotherOptionLeavesThatOptionAlone(@TempDir Path dir) {
        // `herald serve --demo --port 8080`: the flag's optional value is only ever a boolean word
        assertThat(run("vapid", "show", "--demo", "--data-dir", dir.resolve("a").toString())).as(err.toString()).isZero();
        assertThat(dir.resolve("a/keys.json")).exists();
        assertThat(run("vapid", "show", "--allow-private-endpoints", "no", "--demo=true", "--data-dir", dir.resolve("b").toString()))
                .isZero();
        assertThat(dir.resolve("b/keys.json")).exists();
        assertThat(run("vapid", "show", "--demo=maybe", "--data-dir", dir.resolve("c").toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--demo = 'maybe' is not true or false");
    }

    @Test
    void vapidShowPrintsTheKeyTheServerUses(@TempDir Path dir) throws Exception {
        assertThat(run("vapid", "show", "--data-dir", dir.toString())).isZero();
        String first = out();
        assertThat(run("vapid", "show", "--data-dir", dir.toString())).isZero();

        assertThat(out()).isEqualTo(first).hasSize(87);
        assertThat(Files.getPosixFilePermissions(dir.resolve("keys.json")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void badConfigurationIsOneLineAndExitCode2() {
        assertThat(run("vapid", "show", "--port", "eighty")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("configuration error: --port = 'eighty' is not a whole number");
    }

    @Test
    void sendGoesThroughTheRunningServersApi() {
        try (TestServer server = new TestServer(Backend.SQLITE)) {
            int code = run("send", "--server", "http://127.0.0.1:" + server.app.port(), "--api-key", server.key,
                    "--user", "ada", "--title", "Hello", "--body", "from the CLI", "--url", "/inbox");

            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
            String id = out().replaceAll(".*\"id\":\"([0-9A-Z]+)\".*", "$1");
            assertThat(server.notification(id).at("/audience/userIds/0").asText()).isEqualTo("ada");
            assertThat(run("send", "--server", "http://127.0.0.1:" + server.app.port(), "--api-key", "hk_wrong",
                    "--all", "--title", "x")).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("invalid-api-key");
        }
    }
}
