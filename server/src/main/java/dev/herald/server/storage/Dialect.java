package dev.herald.server.storage;

/** The SQL differences between the two databases, kept in one place. */
public enum Dialect {
    SQLITE("INTEGER", ""),
    POSTGRESQL("BIGSERIAL", " FOR UPDATE SKIP LOCKED");

    private final String autoIncrementKey;
    private final String skipLocked;

    Dialect(String autoIncrementKey, String skipLocked) {
        this.autoIncrementKey = autoIncrementKey;
        this.skipLocked = skipLocked;
    }

    /** Flyway placeholders that adapt the one set of migrations to this database. */
    java.util.Map<String, String> placeholders() {
        return java.util.Map.of("delivery_id", autoIncrementKey);
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
