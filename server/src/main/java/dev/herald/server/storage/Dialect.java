package dev.herald.server.storage;

/** The SQL differences between the two databases, kept in one place. */
public enum Dialect {
    SQLITE("INTEGER", "", "json_each(s.topics) t"),
    POSTGRESQL("BIGSERIAL", " FOR UPDATE SKIP LOCKED", "json_array_elements_text(s.topics::json) t(value)");

    private final String autoIncrementKey;
    private final String skipLocked;
    private final String topicsOfJson;

    Dialect(String autoIncrementKey, String skipLocked, String topicsOfJson) {
        this.autoIncrementKey = autoIncrementKey;
        this.skipLocked = skipLocked;
        this.topicsOfJson = topicsOfJson;
    }

    /** Flyway placeholders that adapt the one set of migrations to this database. */
    java.util.Map<String, String> placeholders() {
        return java.util.Map.of("delivery_id", autoIncrementKey,
                "topics_backfill", "INSERT INTO subscription_topics (topic, subscription_id) SELECT DISTINCT t.value, s.id "
                        + "FROM subscriptions s, " + topicsOfJson);
    }

    /**
     * Suffix for a claiming sub-select. PostgreSQL lets concurrent claimers skip rows another transaction
     * holds; SQLite needs nothing because it has a single writer, so an {@code UPDATE … WHERE id IN (SELECT …)}
     * is already atomic.
     */
    public String skipLocked() {
        return skipLocked;
    }

    /**
     * Holds {@code key} until the transaction of {@code h} ends, so a check-then-write on it (a count against a cap)
     * is atomic: a PostgreSQL transaction-scoped advisory lock. SQLite needs nothing: its transactions are
     * IMMEDIATE (one writer at a time), so the check and the write already run alone.
     */
    public void lock(org.jdbi.v3.core.Handle h, String key) {
        if (this == POSTGRESQL) {
            h.createQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))) AS locked")
                    .bind("key", key).mapTo(Integer.class).one();
        }
    }

    /**
     * {@code IN (…)} over the elements of a JSON array of strings bound to {@code :param}: one SQL text whatever the
     * list's length, so the statement is parsed once (a {@code <list>} binding renders new SQL text per length).
     */
    public String inJsonArray(String param) {
        return this == SQLITE ? "IN (SELECT value FROM json_each(:" + param + "))"
                : "IN (SELECT json_array_elements_text(CAST(:" + param + " AS json)))";
    }

    /** The dialect of the database {@code h} is connected to. */
    public static Dialect of(org.jdbi.v3.core.Handle h) {
        try {
            return h.getConnection().getMetaData().getDatabaseProductName().toLowerCase().contains("postgres") ? POSTGRESQL : SQLITE;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
