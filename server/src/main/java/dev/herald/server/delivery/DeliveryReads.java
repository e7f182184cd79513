package dev.herald.server.delivery;

import dev.herald.server.common.Rows;
import dev.herald.server.notification.Audience;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * Read-only views of the delivery queue for operators (the admin console): every query is an index range or
 * lookup ({@code deliveries_by_time}, {@code deliveries_pending}, {@code deliveries_by_subscription}), so they stay
 * fast on a large queue. The queue's writes stay in {@link DeliveryQueue}.
 */
public final class DeliveryReads {
    private final Jdbi jdbi;

    public DeliveryReads(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Deliveries that reached {@code state} in the bucket starting at {@code bucketStart} (epoch ms). */
    public record Bucket(long bucketStart, DeliveryState state, int count) {}

    /** Deliveries whose last change fell in {@code [from, to)}, by state and time bucket of {@code bucketMillis}. */
    public List<Bucket> series(long from, long to, long bucketMillis) {
        return jdbi.withHandle(h -> h.createQuery("SELECT (updated_at - :from) / :bucket AS b, state, COUNT(*) AS n FROM deliveries "
                        + "WHERE updated_at >= :from AND updated_at < :to GROUP BY 1, 2 ORDER BY 1")
                .bind("from", from).bind("to", to).bind("bucket", bucketMillis)
                .map((rs, ctx) -> new Bucket(from + rs.getLong("b") * bucketMillis, DeliveryState.of(rs.getString("state")),
                        rs.getInt("n")))
                .list());
    }

    /** Work waiting: due now, being sent, waiting to retry, and first attempts not yet due. */
    public record Queue(int due, int inFlight, int retrying, int scheduled) {}

    public Queue queue(long now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT "
                        + "SUM(CASE WHEN state = :queued AND next_at <= :now THEN 1 ELSE 0 END) AS due, "
                        + "SUM(CASE WHEN state = :leased THEN 1 ELSE 0 END) AS in_flight, "
                        + "SUM(CASE WHEN state = :queued AND next_at > :now AND attempts > 0 THEN 1 ELSE 0 END) AS retrying, "
                        + "SUM(CASE WHEN state = :queued AND next_at > :now AND attempts = 0 THEN 1 ELSE 0 END) AS scheduled "
                        + "FROM deliveries WHERE state IN " + DeliveryQueue.PENDING)
                .bind("now", now).bind("queued", DeliveryState.QUEUED.token()).bind("leased", DeliveryState.LEASED.token())
                .map((rs, ctx) -> new Queue(rs.getInt("due"), rs.getInt("in_flight"), rs.getInt("retrying"), rs.getInt("scheduled")))
                .one());
    }

    /** How often a push service answered {@code status} (>= 400) since {@code since}; origin null when the device is gone. */
    public record Answer(String origin, int status, int count) {}

    public List<Answer> errorAnswers(long since) {
        return jdbi.withHandle(h -> h.createQuery("SELECT s.origin, d.last_status, COUNT(*) AS n FROM deliveries d "
                        + "LEFT JOIN subscriptions s ON s.id = d.subscription_id WHERE d.updated_at >= :since AND d.last_status >= 400 "
                        + "GROUP BY s.origin, d.last_status ORDER BY 3 DESC")
                .bind("since", since)
                .map((rs, ctx) -> new Answer(rs.getString("origin"), rs.getInt("last_status"), rs.getInt("n")))
                .list());
    }

    /** One kind of result of a notification's deliveries: state, the push service's status and error, how many. */
    public record Result(DeliveryState state, Integer status, String error, int count) {}

    public List<Result> results(String notificationId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT state, last_status, last_error, COUNT(*) AS n FROM deliveries "
                        + "WHERE notification_id = :id GROUP BY state, last_status, last_error ORDER BY 4 DESC LIMIT :limit")
                .bind("id", notificationId).bind("limit", limit)
                .map((rs, ctx) -> new Result(DeliveryState.of(rs.getString("state")), status(rs), rs.getString("last_error"), rs.getInt("n")))
                .list());
    }

    /** One delivery to a device, newest first in {@link #forSubscription}. */
    public record Delivery(String notificationId, DeliveryState state, int attempts, Integer status, String error, long updatedAt) {}

    public List<Delivery> forSubscription(String subscriptionId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT notification_id, state, attempts, last_status, last_error, updated_at "
                        + "FROM deliveries WHERE subscription_id = :id ORDER BY id DESC LIMIT :limit")
                .bind("id", subscriptionId).bind("limit", limit)
                .map((rs, ctx) -> new Delivery(rs.getString("notification_id"), DeliveryState.of(rs.getString("state")), rs.getInt("attempts"),
                        status(rs), rs.getString("last_error"), rs.getLong("updated_at")))
                .list());
    }

    private static Integer status(java.sql.ResultSet rs) throws java.sql.SQLException {
        Long status = Rows.nullableLong(rs, "last_status");
        return status == null ? null : status.intValue();
    }

    /** How many devices {@code audience} selects now (before preferences, which apply at fan-out). */
    public int audienceSize(Audience audience) {
        AudienceSql sql = AudienceSql.of(audience);
        return jdbi.withHandle(h -> {
            Query q = h.createQuery("SELECT COUNT(*) FROM subscriptions WHERE " + sql.where());
            sql.binds().forEach(q::bind);
            if (sql.listName() != null) {
                q.bindList(sql.listName(), sql.list());
            }
            return q.mapTo(Integer.class).one();
        });
    }

    /** A notification's deliveries by state (states with none are absent). */
    public Map<DeliveryState, Integer> counts(String notificationId) {
        Map<DeliveryState, Integer> counts = new EnumMap<>(DeliveryState.class);
        jdbi.useHandle(h -> h.createQuery("SELECT state, COUNT(*) AS n FROM deliveries WHERE notification_id = ? GROUP BY state")
                .bind(0, notificationId)
                .map((rs, ctx) -> Map.entry(DeliveryState.of(rs.getString("state")), rs.getInt("n")))
                .forEach(e -> counts.put(e.getKey(), e.getValue())));
        return counts;
    }

    /** A notification's deliveries by the locale their content was chosen for ({@code default}: none chosen). */
    public Map<String, Integer> byLocale(String notificationId) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT locale, COUNT(*) AS n FROM deliveries WHERE notification_id = ? GROUP BY locale")
                .bind(0, notificationId)
                .map((rs, ctx) -> Map.entry(rs.getString("locale") == null ? "default" : rs.getString("locale"), rs.getInt("n")))
                .forEach(e -> counts.put(e.getKey(), e.getValue())));
        return counts;
    }

    /** The most recent failure reason among a notification's deliveries. */
    public Optional<String> lastError(String notificationId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT last_error FROM deliveries WHERE notification_id = ? "
                        + "AND last_error IS NOT NULL ORDER BY updated_at DESC LIMIT 1")
                .bind(0, notificationId).mapTo(String.class).findOne());
    }

    private static final String HANDED_OVER = DeliveryState.sqlList(DeliveryState.LEASED, DeliveryState.SENT);

    /** Whether the subscription was sent (or is being sent) the notification. */
    public boolean sentTo(String notificationId, String subscriptionId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM deliveries WHERE notification_id = ? AND subscription_id = ? "
                        + "AND state IN " + HANDED_OVER)
                .bind(0, notificationId).bind(1, subscriptionId).mapTo(Integer.class).one()) > 0;
    }

    /** One of the user's subscriptions that was sent (or is being sent) the notification. */
    public Optional<String> sentToUser(String notificationId, String userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT d.subscription_id FROM deliveries d JOIN subscriptions s ON s.id = "
                        + "d.subscription_id WHERE d.notification_id = ? AND s.user_id = ? AND d.state IN " + HANDED_OVER + " "
                        + "ORDER BY d.subscription_id LIMIT 1")
                .bind(0, notificationId).bind(1, userId).mapTo(String.class).findOne());
    }

    /**
     * Deliveries by category ('' for none) and state, of the notifications created in {@code [from, to]} that are
     * not rolled up into the daily statistics yet.
     */
    public Map<String, Map<DeliveryState, Long>> byCategoryUnrolled(long from, long to) {
        Map<String, Map<DeliveryState, Long>> rows = new LinkedHashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT COALESCE(n.category, '') AS category, d.state, COUNT(*) AS n "
                        + "FROM deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.created_at >= :from "
                        + "AND n.created_at <= :to AND n.rolled_up_at IS NULL GROUP BY COALESCE(n.category, ''), d.state")
                .bind("from", from).bind("to", to)
                .map((rs, ctx) -> {
                    rows.computeIfAbsent(rs.getString("category"), c -> new EnumMap<>(DeliveryState.class))
                            .put(DeliveryState.of(rs.getString("state")), rs.getLong("n"));
                    return 0;
                })
                .list());
        return rows;
    }
}
