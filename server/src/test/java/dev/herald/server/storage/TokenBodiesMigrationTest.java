package dev.herald.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.config.Settings;
import dev.herald.server.testing.Backend;
import java.nio.file.Files;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Upgrading drops the user tokens earlier versions stored as Idempotency-Key responses, and nothing else. */
class TokenBodiesMigrationTest {
    @ParameterizedTest
    @EnumSource(Backend.class)
    void storedTokenResponsesLoseTheirBodyOnUpgrade(Backend backend) throws Exception {
        try (Backend.TestDatabases databases = new Backend.TestDatabases()) {
            Settings settings = backend.database(Files.createTempDirectory("v7"), databases).build();
            Dialect dialect = settings.postgres() ? Dialect.POSTGRESQL : Dialect.SQLITE;
            Flyway.configure().dataSource(settings.jdbcUrl(), null, null).locations("classpath:db/migration")
                    .placeholders(dialect.placeholders()).target("6").load().migrate();
            try (Database database = Database.open(settingsWithTablesOfV6(settings))) {
                List<String> bodies = database.jdbi().withHandle(h -> h.createQuery(
                        "SELECT COALESCE(body, '-') FROM idempotency_keys ORDER BY idem_key").mapTo(String.class).list());
                assertThat(bodies).containsExactly("-", "{\"results\":[]}");
            }
        }
    }

    /** Inserts, into the V6 schema, what an earlier version stored; returns the settings unchanged. */
    private static Settings settingsWithTablesOfV6(Settings settings) throws Exception {
        try (var c = java.sql.DriverManager.getConnection(settings.jdbcUrl()); var s = c.createStatement()) {
            s.executeUpdate("INSERT INTO idempotency_keys (scope, idem_key, fingerprint, state, status, content_type, body, "
                    + "lease_until, expires_at) VALUES ('key:a', 'k1', 'f', 'done', 201, 'application/json', "
                    + "'{\"token\":\"eyJhbGciOiJIUzI1NiJ9.e30.x\",\"userId\":\"ada\",\"expiresAt\":\"2026-11-23T11:00:00Z\"}', 0, 9), "
                    + "('user:ada', 'k2', 'f', 'done', 200, 'application/json', '{\"results\":[]}', 0, 9)");
        }
        return settings;
    }
}
