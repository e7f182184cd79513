package dev.herald.server.subscription;

import dev.herald.server.common.Ids;
import dev.herald.server.common.Rows;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.storage.Dialect;
import dev.herald.server.webhook.EventType;
import dev.herald.server.webhook.WebhookEvents;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Subscriptions in the database: upsert by endpoint, lookup, delete, topics and tags, and the counts that enforce limits. */
public final class SubscriptionStore {
    private static final String COLUMNS = "id, user_id, endpoint, origin, p256dh, auth, encoding, expiration_time, timezone, "
            + "locale, user_agent, created_at, updated_at";

    private final Jdbi jdbi;
    private final Clock clock;
    private final WebhookEvents events;

    public SubscriptionStore(Jdbi jdbi, Clock clock) {
        this(jdbi, clock, WebhookEvents.NONE);
    }

    /** {@code events}: told of subscriptions created and deleted, in the transaction that does it. */
    public SubscriptionStore(Jdbi jdbi, Clock clock, WebhookEvents events) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.events = events;
    }

    /** What a browser sends to subscribe, validated. Null topics or tags: keep what the subscription has. */
    public record NewSubscription(String userId, String endpoint, String origin, String p256dh, String auth, String encoding,
            Long expirationTime, String timezone, String locale, String userAgent, List<String> topics,
            Map<String, String> tags, String ip) {}

    public record Upserted(Subscription subscription, boolean created) {}

    /** Subscriptions one user, and one client address, may hold (a new endpoint past either is 429 subscription-limit). */
    public record Caps(int perUser, int perAddress) {}

    /**
     * Inserts, or updates the row with the same endpoint (the endpoint identifies the browser's subscription;
     * a new sign-in on that browser takes it over, and then starts without the previous user's topics and tags).
     */
    public Upserted upsert(NewSubscription s, Caps caps) {
        long now = clock.millis();
        String newId = Ids.next(clock);
        return jdbi.inTransaction(h -> {
            checkCaps(h, s, caps);
            String previousUser = h.createQuery("SELECT user_id FROM subscriptions WHERE endpoint = ?").bind(0, s.endpoint())
                    .mapTo(String.class).findOne().orElse(null);
            Row row = h.createQuery("INSERT INTO subscriptions (id, user_id, endpoint, origin, p256dh, auth, encoding, "
                            + "expiration_time, timezone, locale, user_agent, created_ip, created_at, updated_at) "
                            + "VALUES (:id, :user, :endpoint, :origin, :p256dh, :auth, :encoding, :exp, :tz, :locale, :ua, :ip, :now, :now) "
                            + "ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, "
                            + "auth = excluded.auth, encoding = excluded.encoding, expiration_time = excluded.expiration_time, "
                            + "timezone = excluded.timezone, locale = excluded.locale, user_agent = excluded.user_agent, "
                            + "updated_at = excluded.updated_at "
                            + "RETURNING " + COLUMNS)
                    .bind("id", newId).bind("user", s.userId()).bind("endpoint", s.endpoint()).bind("origin", s.origin())
                    .bind("p256dh", s.p256dh()).bind("auth", s.auth()).bind("encoding", s.encoding())
                    .bind("exp", s.expirationTime()).bind("tz", s.timezone()).bind("locale", s.locale())
                    .bind("ua", s.userAgent()).bind("ip", s.ip()).bind("now", now)
                    .map(SubscriptionStore::row).one();
            boolean created = row.id().equals(newId);
            boolean newOwner = !created && !java.util.Objects.equals(previousUser, s.userId());
            // The browser's own topics and tags are replaced; the server-owned ones stay, unless another user takes over.
            if (s.topics() != null || newOwner) {
                replaceTopics(h, row.id(), s.topics() == null ? List.of() : s.topics(), !newOwner);
            }
            if (s.tags() != null || newOwner) {
                replaceTags(h, row.id(), s.tags() == null ? Map.of() : s.tags(), !newOwner);
            }
            if (created) {
                events.emit(h, List.of(new WebhookEvents.Event(EventType.SUBSCRIPTION_CREATED, now, WebhookEvents.data(
                        "subscriptionId", row.id(), "userId", row.userId(), "origin", row.origin(), "userAgent", row.userAgent()))));
            }
            return new Upserted(complete(h, row), created);
        });
    }

    public Optional<Subscription> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM subscriptions WHERE id = ?")
                .bind(0, id).map(SubscriptionStore::row).findOne().map(r -> complete(h, r)));
    }

    /** Deletes a subscription; {@code reason} (unsubscribed, deleted) goes into the {@code subscription.deleted} event. */
    public boolean delete(String id, String reason) {
        return jdbi.inTransaction(h -> {
            record Deleted(String userId) {}
            java.util.Optional<Deleted> deleted = h.createQuery("DELETE FROM subscriptions WHERE id = ? RETURNING user_id").bind(0, id)
                    .map((rs, ctx) -> new Deleted(rs.getString("user_id"))).findOne();
            deleted.ifPresent(d -> events.emit(h, List.of(new WebhookEvents.Event(EventType.SUBSCRIPTION_DELETED, clock.millis(),
                    WebhookEvents.data("subscriptionId", id, "userId", d.userId(), "reason", reason)))));
            return deleted.isPresent();
        });
    }

    /** Joins a topic; false when the subscription is already in {@code max} topics (and not in this one). */
    public boolean addTopic(String id, String topic, int max) {
        return jdbi.inTransaction(h -> {
            List<String> topics = topics(h, id);
            if (topics.contains(topic)) {
                return true;
            }
            if (topics.size() >= max) {
                return false;
            }
            h.createUpdate("INSERT INTO subscription_topics (topic, subscription_id) VALUES (?, ?)").bind(0, topic).bind(1, id).execute();
            return true;
        });
    }

    public void removeTopic(String id, String topic) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM subscription_topics WHERE subscription_id = ? AND topic = ?")
                .bind(0, id).bind(1, topic).execute());
    }

    /** Replaces the subscription's tags; {@code keepServerOwned}: only its user-owned ones (a user token's change). */
    public void setTags(String id, Map<String, String> tags, boolean keepServerOwned) {
        jdbi.useTransaction(h -> replaceTags(h, id, tags, keepServerOwned));
    }

    /**
     * Counts and refuses inside the upsert's transaction, holding the user's and the address's locks (always in that
     * order), so concurrent subscribes cannot all see room for one more. Other endpoints only: re-subscribing is free.
     */
    private static void checkCaps(Handle h, NewSubscription s, Caps caps) {
        Dialect dialect = Dialect.of(h);
        if (s.userId() != null) {
            dialect.lock(h, "subscriptions of user " + s.userId());
            if (h.createQuery("SELECT COUNT(*) FROM subscriptions WHERE user_id = ? AND endpoint <> ?")
                    .bind(0, s.userId()).bind(1, s.endpoint()).mapTo(Integer.class).one() >= caps.perUser()) {
                throw new ApiException(ErrorCode.SUBSCRIPTION_LIMIT, "user " + s.userId() + " already has " + caps.perUser()
                        + " subscriptions; unsubscribe an old device first");
            }
        }
        dialect.lock(h, "subscriptions from " + s.ip());
        if (h.createQuery("SELECT COUNT(*) FROM subscriptions WHERE created_ip = ? AND endpoint <> ?")
                .bind(0, s.ip()).bind(1, s.endpoint()).mapTo(Integer.class).one() >= caps.perAddress()) {
            throw new ApiException(ErrorCode.SUBSCRIPTION_LIMIT, "too many subscriptions from this address");
        }
    }

    /** Names starting with '@' (TopicRules.SERVER_OWNED) are server-owned. */
    private static final String USER_OWNED = " NOT LIKE '@%'";

    private static void replaceTopics(Handle h, String id, List<String> topics, boolean keepServerOwned) {
        h.createUpdate("DELETE FROM subscription_topics WHERE subscription_id = ?" + (keepServerOwned ? " AND topic" + USER_OWNED : ""))
                .bind(0, id).execute();
        PreparedBatch insert = h.prepareBatch("INSERT INTO subscription_topics (topic, subscription_id) VALUES (:t, :s)");
        topics.forEach(t -> insert.bind("t", t).bind("s", id).add());
        if (!topics.isEmpty()) {
            insert.execute();
        }
    }

    private static void replaceTags(Handle h, String id, Map<String, String> tags, boolean keepServerOwned) {
        h.createUpdate("DELETE FROM subscription_tags WHERE subscription_id = ?" + (keepServerOwned ? " AND name" + USER_OWNED : ""))
                .bind(0, id).execute();
        PreparedBatch insert = h.prepareBatch("INSERT INTO subscription_tags (subscription_id, name, value) VALUES (:s, :n, :v)");
        tags.forEach((n, v) -> insert.bind("s", id).bind("n", n).bind("v", v).add());
        if (!tags.isEmpty()) {
            insert.execute();
        }
    }

    private static List<String> topics(Handle h, String id) {
        return h.createQuery("SELECT topic FROM subscription_topics WHERE subscription_id = ? ORDER BY topic")
                .bind(0, id).mapTo(String.class).list();
    }

    private static Subscription complete(Handle h, Row r) {
        Map<String, String> tags = new TreeMap<>();
        h.createQuery("SELECT name, value FROM subscription_tags WHERE subscription_id = ?").bind(0, r.id())
                .map((rs, ctx) -> Map.entry(rs.getString("name"), rs.getString("value")))
                .forEach(e -> tags.put(e.getKey(), e.getValue()));
        return new Subscription(r.id(), r.userId(), r.endpoint(), r.origin(), r.p256dh(), r.auth(), r.encoding(),
                r.expirationTime(), r.timezone(), r.locale(), r.userAgent(), new ArrayList<>(topics(h, r.id())), tags,
                r.createdAt(), r.updatedAt());
    }

    private record Row(String id, String userId, String endpoint, String origin, String p256dh, String auth, String encoding,
            Long expirationTime, String timezone, String locale, String userAgent, long createdAt, long updatedAt) {}

    private static Row row(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        return new Row(rs.getString("id"), rs.getString("user_id"), rs.getString("endpoint"), rs.getString("origin"),
                rs.getString("p256dh"), rs.getString("auth"), rs.getString("encoding"), Rows.nullableLong(rs, "expiration_time"),
                rs.getString("timezone"), rs.getString("locale"), rs.getString("user_agent"), rs.getLong("created_at"),
                rs.getLong("updated_at"));
    }
}
