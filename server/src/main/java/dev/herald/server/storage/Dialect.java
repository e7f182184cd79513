package dev.herald.server.storage;

/** The SQL differences between the two databases, kept in one place. */
public enum Dialect {
    SQLITE("sqlite", ""),
    POSTGRESQL("postgresql", " FOR UPDATE SKIP LOCKED");

    private final String migrations;
    private final String skipLocked;

    Dialect(String migrations, String skipLocked) {
        this.migrations = migrations;
        this.skipLocked = skipLocked;
    }

    /** Flyway location of this dialect's migrations. */
    String migrations() {
        return "classpath:db/migration/" + migrations;
    }

    /**
     * Suffix for a claiming sub-select. PostgreSQL lets concurrent claimers skip rows another transaction
     * holds; SQLite needs nothing because it has a single writer, so an {@code UPDATE … WHERE id IN (SELECT …)}
     * is already atomic.
     */
    public String skipLocked() {
        return skipLocked;
    }
}
