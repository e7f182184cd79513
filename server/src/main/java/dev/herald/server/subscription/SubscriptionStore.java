package dev.herald.server.subscription;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.herald.server.common.Ids;
import dev.herald.server.common.Rows;
import dev.herald.server.http.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** Subscriptions in the database: upsert by endpoint, lookup, delete, and the counts that enforce limits. */
public final class SubscriptionStore {
    private static final String COLUMNS = "id, user_id, endpoint, origin, p256dh, auth, encoding, expiration_time, timezone, "
            + "locale, user_agent, topics, created_at, updated_at";

    private final Jdbi jdbi;
    private final Clock clock;

    public SubscriptionStore(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** What a browser sends to subscribe, validated. */
    public record NewSubscription(String userId, String endpoint, String origin, String p256dh, String auth, String encoding,
            Long expirationTime, String timezone, String locale, String userAgent, List<String> topics, String ip) {}

    public record Upserted(Subscription subscription, boolean created) {}

    /**
     * Inserts, or updates the row with the same endpoint (the endpoint identifies the browser's subscription;
     * a new sign-in on that browser takes it over).
     */
    public Upserted upsert(NewSubscription s) {
        long now = clock.millis();
        String newId = Ids.next(clock);
        return jdbi.inTransaction(h -> {
            Subscription row = h.createQuery("INSERT INTO subscriptions (id, user_id, endpoint, origin, p256dh, auth, encoding, "
                            + "expiration_time, timezone, locale, user_agent, topics, created_ip, created_at, updated_at) "
                            + "VALUES (:id, :user, :endpoint, :origin, :p256dh, :auth, :encoding, :exp, :tz, :locale, :ua, :topics, :ip, :now, :now) "
                            + "ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, "
                            + "auth = excluded.auth, encoding = excluded.encoding, expiration_time = excluded.expiration_time, "
                            + "timezone = excluded.timezone, locale = excluded.locale, user_agent = excluded.user_agent, "
                            + "topics = excluded.topics, updated_at = excluded.updated_at "
                            + "RETURNING " + COLUMNS)
                    .bind("id", newId).bind("user", s.userId()).bind("endpoint", s.endpoint()).bind("origin", s.origin())
                    .bind("p256dh", s.p256dh()).bind("auth", s.auth()).bind("encoding", s.encoding())
                    .bind("exp", s.expirationTime()).bind("tz", s.timezone()).bind("locale", s.locale())
                    .bind("ua", s.userAgent()).bind("topics", Json.stringify(s.topics())).bind("ip", s.ip()).bind("now", now)
                    .map(SubscriptionStore::map).one();
            return new Upserted(row, row.id().equals(newId));
        });
    }

    public Optional<Subscription> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM subscriptions WHERE id = ?")
                .bind(0, id).map(SubscriptionStore::map).findOne());
    }

    public boolean delete(String id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM subscriptions WHERE id = ?").bind(0, id).execute()) == 1;
    }

    /** Subscriptions of {@code userId} other than the one at {@code endpoint}. */
    public int countForUser(String userId, String endpoint) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM subscriptions WHERE user_id = ? AND endpoint <> ?")
                .bind(0, userId).bind(1, endpoint).mapTo(Integer.class).one());
    }

    public int countForIp(String ip, String endpoint) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM subscriptions WHERE created_ip = ? AND endpoint <> ?")
                .bind(0, ip).bind(1, endpoint).mapTo(Integer.class).one());
    }

    static Subscription map(ResultSet rs, StatementContext ctx) throws SQLException {
        List<String> topics;
        try {
            topics = Json.MAPPER.readValue(rs.getString("topics"), new TypeReference<List<String>>() {});
        } catch (java.io.IOException e) {
            topics = List.of();
        }
        return new Subscription(rs.getString("id"), rs.getString("user_id"), rs.getString("endpoint"), rs.getString("origin"),
                rs.getString("p256dh"), rs.getString("auth"), rs.getString("encoding"), Rows.nullableLong(rs, "expiration_time"),
                rs.getString("timezone"), rs.getString("locale"), rs.getString("user_agent"), topics,
                rs.getLong("created_at"), rs.getLong("updated_at"));
    }
}
