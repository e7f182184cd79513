package dev.herald.server.testing;

import dev.herald.server.config.Option;
import dev.herald.server.config.SettingsLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The two real databases every storage-touching test runs against: an SQLite file in a temp dir, and a fresh
 * schema in the machine's PostgreSQL ({@code HERALD_TEST_POSTGRES_URL}, default the local {@code test} database).
 * PostgreSQL being unreachable fails the tests rather than skipping them.
 */
public enum Backend {
    SQLITE, POSTGRES;

    static final String POSTGRES_URL = System.getenv().getOrDefault("HERALD_TEST_POSTGRES_URL",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    /**
     * The backends to run, {@code -Dherald.test.backends=sqlite} for a quick local run; every one by default (and in
     * CI), where an unreachable PostgreSQL fails rather than skips.
     */
    private static final String SELECTED = System.getProperty("herald.test.backends", "sqlite,postgres");

    /** Settings pointing at a new, empty database of this kind. */
    public SettingsLoader database(Path dataDir, TestDatabases cleanup) {
        Assumptions.assumeTrue(java.util.Arrays.asList(SELECTED.toLowerCase(java.util.Locale.ROOT).split(","))
                .contains(name().toLowerCase(java.util.Locale.ROOT)), () -> name() + " not in -Dherald.test.backends");
        SettingsLoader loader = SettingsLoader.empty().with(Option.DATA_DIR, dataDir.toString());
        if (this == POSTGRES) {
            String schema = "herald_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            try (Connection c = DriverManager.getConnection(POSTGRES_URL)) {
                c.createStatement().execute("CREATE SCHEMA " + schema);
            } catch (SQLException e) {
                throw new IllegalStateException("PostgreSQL at " + POSTGRES_URL + " is needed for these tests: " + e.getMessage(), e);
            }
            cleanup.add(schema);
            loader.with(Option.DATABASE_URL, POSTGRES_URL + (POSTGRES_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema);
        }
        return loader;
    }

    /** Drops the PostgreSQL schemas a test made. */
    public static final class TestDatabases implements AutoCloseable {
        private final java.util.List<String> schemas = new java.util.ArrayList<>();

        void add(String schema) {
            schemas.add(schema);
        }

        @Override
        public void close() {
            if (schemas.isEmpty()) {
                return;
            }
            try (Connection c = DriverManager.getConnection(POSTGRES_URL)) {
                for (String s : schemas) {
                    c.createStatement().execute("DROP SCHEMA IF EXISTS " + s + " CASCADE");
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            schemas.clear();
        }
    }
}
