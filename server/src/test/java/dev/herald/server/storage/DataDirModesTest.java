package dev.herald.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.HeraldApp;
import dev.herald.server.config.Option;
import dev.herald.server.config.Settings;
import dev.herald.server.config.SettingsLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data dir holds the database and the secrets: only the service user may read any of it (SQLite). */
class DataDirModesTest {
    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static Settings settings(Path dataDir) {
        return SettingsLoader.empty().with(Option.DATA_DIR, dataDir.toString()).with(Option.PORT, "0")
                .with(Option.HOST, "127.0.0.1").with(Option.VAPID_SUBJECT, "mailto:tests@herald.example").build();
    }

    @Test
    void aNewDataDirIs700AndTheDatabaseWalShmAndKeysAre600(@TempDir Path tmp) throws Exception {
        Path dataDir = tmp.resolve("var/lib/herald");
        try (HeraldApp app = HeraldApp.start(settings(dataDir))) {
            app.apiKeys().create("a write, so the WAL has content", java.util.EnumSet.of(dev.herald.server.auth.Scope.SEND));
            assertThat(mode(dataDir)).isEqualTo("rwx------");
            for (String name : new String[] {"herald.db", "herald.db-wal", "herald.db-shm", "keys.json"}) {
                assertThat(dataDir.resolve(name)).exists();
                assertThat(mode(dataDir.resolve(name))).as(name).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void filesOfAnEarlierInstallReadableByOthersAreMadeOwnerOnly(@TempDir Path tmp) throws Exception {
        Path dataDir = tmp.resolve("data");
        try (HeraldApp app = HeraldApp.start(settings(dataDir))) {
            app.apiKeys().create("x", java.util.EnumSet.of(dev.herald.server.auth.Scope.SEND));
        }
        for (String name : new String[] {"herald.db", "keys.json"}) {
            Files.setPosixFilePermissions(dataDir.resolve(name), PosixFilePermissions.fromString("rw-r--r--"));
        }
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));

        try (HeraldApp app = HeraldApp.start(settings(dataDir))) {
            assertThat(mode(dataDir.resolve("herald.db"))).isEqualTo("rw-------");
            assertThat(mode(dataDir.resolve("herald.db-wal"))).isEqualTo("rw-------");
            assertThat(mode(dataDir.resolve("keys.json"))).isEqualTo("rw-------");
            assertThat(mode(dataDir)).as("an existing dir keeps its mode (with a warning)").isEqualTo("rwxr-xr-x");
        }
    }
}
