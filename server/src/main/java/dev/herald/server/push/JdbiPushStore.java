package dev.herald.server.push;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.herald.pushservice.PushStore;
import dev.herald.server.http.Json;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The push service's storage on Herald's database (SQLite or PostgreSQL).
 *
 * <p>Channel lookups (one per message accepted) are answered from a cache of channels known to exist. It stays
 * correct across nodes without invalidation messages because a stale entry can only say "exists" for a channel
 * another node removed, and the database still refuses that message: its insert breaks the foreign key to
 * {@code push_channels}, and {@link #store} answers {@link Stored#NO_CHANNEL} (410) and forgets the entry. This node's
 * own removals evict at once.
 */
public final class JdbiPushStore implements PushStore {
    private final Jdbi jdbi;
    private final java.util.concurrent.locks.Lock writeLock;
    private final dev.herald.server.storage.Dialect dialect;
    /** Channels known to exist, by uaid/channel id; cleared when it reaches {@link #CACHED_CHANNELS}. */
    private final java.util.concurrent.ConcurrentHashMap<String, Channel> channels = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int CACHED_CHANNELS = 200_000;

    public JdbiPushStore(dev.herald.server.storage.Database database) {
        this.jdbi = database.jdbi();
        this.writeLock = database.writeLock();
        this.dialect = database.dialect();
    }

    /** Every write of the push service goes through here: see {@code Database.writeLock}. */
    private <T> T write(org.jdbi.v3.core.HandleCallback<T, RuntimeException> work) {
        writeLock.lock();
        try {
            return jdbi.inTransaction(work);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public boolean userAgentExists(String uaid) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM push_user_agents WHERE uaid = ?").bind(0, uaid)
                .mapTo(Integer.class).one()) > 0;
    }

    @Override
    public void createUserAgent(String uaid, long now) {
        write(h -> h.createUpdate("INSERT INTO push_user_agents (uaid, created_at, connected_at) VALUES (?, ?, ?)")
                .bind(0, uaid).bind(1, now).bind(2, now).execute());
    }

    @Override
    public void touchUserAgent(String uaid, long now) {
        write(h -> h.createUpdate("UPDATE push_user_agents SET connected_at = ? WHERE uaid = ?").bind(0, now).bind(1, uaid)
                .execute());
    }

    @Override
    public int channelCount(String uaid) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM push_channels WHERE uaid = ?").bind(0, uaid)
                .mapTo(Integer.class).one());
    }

    @Override
    public void addChannel(Channel c) {
        write(h -> h.createUpdate("INSERT INTO push_channels (uaid, channel_id, key_hash, created_at) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (uaid, channel_id) DO UPDATE SET key_hash = excluded.key_hash")
                .bind(0, c.uaid()).bind(1, c.channelId()).bind(2, c.keyHash()).bind(3, c.createdAt()).execute());
    }

    private static String cacheKey(String uaid, String channelId) {
        return uaid + "/" + channelId;
    }

    @Override
    public Optional<Channel> channel(String uaid, String channelId) {
        Channel cached = channels.get(cacheKey(uaid, channelId));
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<Channel> found = read(uaid, channelId);
        found.ifPresent(c -> {
            if (channels.size() >= CACHED_CHANNELS) {
                channels.clear(); // crude, but bounded; the next lookups refill it
            }
            channels.put(cacheKey(uaid, channelId), c);
        });
        return found;
    }

    private Optional<Channel> read(String uaid, String channelId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT uaid, channel_id, key_hash, created_at FROM push_channels "
                        + "WHERE uaid = ? AND channel_id = ?")
                .bind(0, uaid).bind(1, channelId)
                .map((rs, ctx) -> new Channel(rs.getString("uaid"), rs.getString("channel_id"), rs.getString("key_hash"),
                        rs.getLong("created_at")))
                .findOne());
    }

    @Override
    public boolean removeChannel(String uaid, String channelId) {
        channels.remove(cacheKey(uaid, channelId));
        int removed = write(h -> {
            deleteMessages(h, "uaid = ? AND channel_id = ?", uaid, channelId);
            return h.createUpdate("DELETE FROM push_channels WHERE uaid = ? AND channel_id = ?")
                    .bind(0, uaid).bind(1, channelId).execute();
        });
        channels.remove(cacheKey(uaid, channelId)); // a lookup in between may have cached it again
        return removed > 0;
    }

    @Override
    public List<Message> pending(String uaid, long now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + MESSAGE_COLUMNS + " FROM push_messages WHERE uaid = ? AND expires_at > ? "
                        + "ORDER BY seq")
                .bind(0, uaid).bind(1, now).map(JdbiPushStore::message).list());
    }

    @Override
    public int pendingCount(String uaid, long now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM push_messages WHERE uaid = ? AND expires_at > ?")
                .bind(0, uaid).bind(1, now).mapTo(Integer.class).one());
    }

    @Override
    public Stored store(Message m, Room room) {
        try {
            return write(h -> {
                dialect.lock(h, "push messages of " + m.uaid());
                if (m.topic() != null) {
                    deleteMessages(h, "uaid = ? AND channel_id = ? AND topic = ?", m.uaid(), m.channelId(), m.topic());
                }
                long bytes = bytes(m.data());
                long[] held = h.createQuery("SELECT COUNT(*), COALESCE(SUM(LENGTH(data)), 0) FROM push_messages "
                                + "WHERE uaid = ? AND expires_at > ?").bind(0, m.uaid()).bind(1, m.createdAt())
                        .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)}).one();
                if (held[0] >= room.maxPending() || held[1] + bytes > room.maxBytesPerAgent()) {
                    throw new Full(Stored.AGENT_FULL);
                }
                h.createUpdate("INSERT INTO push_messages (id, uaid, channel_id, topic, urgency, headers, data, created_at, expires_at) "
                                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                        .bind(0, m.id()).bind(1, m.uaid()).bind(2, m.channelId()).bind(3, m.topic()).bind(4, m.urgency())
                        .bind(5, Json.stringify(m.headers())).bind(6, m.data()).bind(7, m.createdAt()).bind(8, m.expiresAt())
                        .execute();
                account(h, bytes);
                if (bytes > 0 && h.createQuery("SELECT SUM(bytes) FROM push_usage").mapTo(Long.class).one() > room.maxStoredBytes()) {
                    throw new Full(Stored.SERVICE_FULL);
                }
                return Stored.STORED;
            });
        } catch (Full e) {
            return e.outcome; // rolled back: a message the topic would have replaced stays
        } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
            if (!brokenForeignKey(e)) {
                throw e;
            }
            channels.remove(cacheKey(m.uaid(), m.channelId())); // removed meanwhile, here or on another node
            return Stored.NO_CHANNEL;
        }
    }

    /** The insert named a channel that is not there (PostgreSQL SQLSTATE 23503, SQLite SQLITE_CONSTRAINT_FOREIGNKEY). */
    private static boolean brokenForeignKey(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && ("23503".equals(sql.getSQLState()) || sql.getErrorCode() == 787
                    || String.valueOf(sql.getMessage()).contains("FOREIGN KEY constraint failed"))) {
                return true;
            }
        }
        return false;
    }

    /** Thrown to roll the store transaction back when there is no room. */
    private static final class Full extends RuntimeException {
        private final Stored outcome;

        Full(Stored outcome) {
            super(null, null, false, false);
            this.outcome = outcome;
        }
    }

    /**
     * The total of stored bytes lives in {@code push_usage}, spread over {@link #STRIPES} rows so concurrent writers
     * on PostgreSQL rarely wait for one another's row lock: each transaction adds its change to one stripe; the total is
     * their sum. A reader does not see other transactions' uncommitted additions, so the total may pass its bound by
     * what concurrent pushes store at the same moment (a pool's worth of messages), never more.
     */
    private static final int STRIPES = 16;

    private void account(org.jdbi.v3.core.Handle h, long delta) {
        if (delta != 0) {
            // one stripe per transaction (its handle), so a transaction never holds two stripes' locks
            h.createUpdate("UPDATE push_usage SET bytes = bytes + ? WHERE stripe = ?")
                    .bind(0, delta).bind(1, Math.floorMod(System.identityHashCode(h), STRIPES)).execute();
        }
    }

    /** Deletes the messages {@code where} selects, keeps the stored-bytes total in step, returns how many went. */
    private int deleteMessages(org.jdbi.v3.core.Handle h, String where, Object... args) {
        var query = h.createQuery("DELETE FROM push_messages WHERE " + where + " RETURNING COALESCE(LENGTH(data), 0)");
        for (int i = 0; i < args.length; i++) {
            query.bind(i, args[i]);
        }
        List<Long> sizes = query.mapTo(Long.class).list();
        account(h, -sizes.stream().mapToLong(Long::longValue).sum());
        return sizes.size();
    }

    private static long bytes(String data) {
        return data == null ? 0 : data.length(); // base64url: one byte per character
    }

    @Override
    public boolean acknowledge(String uaid, String messageId) {
        return write(h -> deleteMessages(h, "uaid = ? AND id = ?", uaid, messageId)) > 0;
    }

    @Override
    public boolean cancel(String messageId) {
        return write(h -> deleteMessages(h, "id = ?", messageId)) > 0;
    }

    @Override
    public int deleteExpired(long now) {
        return write(h -> deleteMessages(h, "expires_at <= ?", now));
    }

    @Override
    public int forgetUserAgents(long before) {
        channels.clear();
        return write(h -> {
            deleteMessages(h, "uaid IN (SELECT uaid FROM push_user_agents WHERE connected_at < ?)", before);
            return h.createUpdate("DELETE FROM push_user_agents WHERE connected_at < ?").bind(0, before).execute();
        });
    }

    private static final String MESSAGE_COLUMNS = "id, uaid, channel_id, topic, urgency, headers, data, created_at, expires_at";
    /** The same, of a query that calls {@code push_messages} m. */
    static final String MESSAGE_COLUMNS_OF_M = "m.id, m.uaid, m.channel_id, m.topic, m.urgency, m.headers, m.data, m.created_at, "
            + "m.expires_at";

    static Message message(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws java.sql.SQLException {
        return new Message(rs.getString("id"), rs.getString("uaid"), rs.getString("channel_id"), rs.getString("topic"),
                rs.getString("urgency"), headers(rs.getString("headers")), rs.getString("data"), rs.getLong("created_at"),
                rs.getLong("expires_at"));
    }

    private static Map<String, String> headers(String json) {
        try {
            return Json.MAPPER.readValue(json, new TypeReference<Map<String, String>>() {});
        } catch (IOException e) {
            throw new IllegalStateException("stored push headers are not JSON", e);
        }
    }
}
