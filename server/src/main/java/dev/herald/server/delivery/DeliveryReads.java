package dev.herald.server.delivery;

import dev.herald.server.common.Rows;
import dev.herald.server.notification.Audience;
import java.util.List;
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
    public record Bucket(long bucketStart, String state, int count) {}

    /** Deliveries whose last change fell in {@code [from, to)}, by state and time bucket of {@code bucketMillis}. */
    public List<Bucket> series(long from, long to, long bucketMillis) {
        return jdbi.withHandle(h -> h.createQuery("SELECT (updated_at - :from) / :bucket AS b, state, COUNT(*) AS n FROM deliveries "
                        + "WHERE updated_at >= :from AND updated_at < :to GROUP BY 1, 2 ORDER BY 1")
                .bind("from", from).bind("to", to).bind("bucket", bucketMillis)
                .map((rs, ctx) -> new Bucket(from + rs.getLong("b") * bucketMillis, rs.getString("state"), rs.getInt("n")))
                .list());
    }

    /** Work waiting: due now, being sent, waiting to retry, and first attempts not yet due. */
    public record Queue(int due, int inFlight, int retrying, int scheduled) {}

    public Queue queue(long now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT "
                        + "SUM(CASE WHEN state = 'queued' AND next_at <= :now THEN 1 ELSE 0 END) AS due, "
                        + "SUM(CASE WHEN state = 'leased' THEN 1 ELSE 0 END) AS in_flight, "
                        + "SUM(CASE WHEN state = 'queued' AND next_at > :now AND attempts > 0 THEN 1 ELSE 0 END) AS retrying, "
                        + "SUM(CASE WHEN state = 'queued' AND next_at > :now AND attempts = 0 THEN 1 ELSE 0 END) AS scheduled "
                        + "FROM deliveries WHERE state IN ('queued', 'leased')")
                .bind("now", now)
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
    public record Result(String state, Integer status, String error, int count) {}

    public List<Result> results(String notificationId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT state, last_status, last_error, COUNT(*) AS n FROM deliveries "
                        + "WHERE notification_id = :id GROUP BY state, last_status, last_error ORDER BY 4 DESC LIMIT :limit")
                .bind("id", notificationId).bind("limit", limit)
                .map((rs, ctx) -> new Result(rs.getString("state"), status(rs), rs.getString("last_error"), rs.getInt("n")))
                .list());
    }

    /** One delivery to a device, newest first in {@link #forSubscription}. */
    public record Delivery(String notificationId, String state, int attempts, Integer status, String error, long updatedAt) {}

    public List<Delivery> forSubscription(String subscriptionId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT notification_id, state, attempts, last_status, last_error, updated_at "
                        + "FROM deliveries WHERE subscription_id = :id ORDER BY id DESC LIMIT :limit")
                .bind("id", subscriptionId).bind("limit", limit)
                .map((rs, ctx) -> new Delivery(rs.getString("notification_id"), rs.getString("state"), rs.getInt("attempts"),
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
}
