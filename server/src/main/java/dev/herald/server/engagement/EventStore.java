package dev.herald.server.engagement;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Engagement events from service workers, and the counts built from them. */
public final class EventStore {
    private final Jdbi jdbi;
    private final Clock clock;

    public EventStore(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** Whether {@code subscriptionId} was sent (or is being sent) {@code notificationId}. */
    boolean wasSent(String notificationId, String subscriptionId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM deliveries WHERE notification_id = ? AND subscription_id = ? "
                        + "AND state IN ('leased', 'sent')")
                .bind(0, notificationId).bind(1, subscriptionId).mapTo(Integer.class).one()) > 0;
    }

    /** One of the user's subscriptions that was sent the notification. */
    Optional<String> sentToUser(String notificationId, String userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT d.subscription_id FROM deliveries d JOIN subscriptions s ON s.id = "
                        + "d.subscription_id WHERE d.notification_id = ? AND s.user_id = ? AND d.state IN ('leased', 'sent') "
                        + "ORDER BY d.subscription_id LIMIT 1")
                .bind(0, notificationId).bind(1, userId).mapTo(String.class).findOne());
    }

    /** Records an event; false when the same one was recorded before. */
    boolean record(String notificationId, String subscriptionId, String type, String action, long occurredAt) {
        return jdbi.withHandle(h -> h.createUpdate("INSERT INTO notification_events (notification_id, subscription_id, type, action, "
                        + "occurred_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .bind(0, notificationId).bind(1, subscriptionId).bind(2, type).bind(3, action).bind(4, occurredAt)
                .bind(5, clock.millis()).execute()) == 1;
    }

    /** Engagement of one notification: subscriptions that reported each kind of event. */
    public record Engagement(int delivered, int shown, int clicked, int closed) {
        public Double clickThroughRate() {
            return rate(clicked, delivered);
        }
    }

    /** Clicks (on the notification or an action) per delivered notification, 4 decimals; null before any delivery. */
    static Double rate(int clicked, int delivered) {
        return delivered == 0 ? null : Math.round(10_000.0 * clicked / delivered) / 10_000.0;
    }

    public Engagement engagement(String notificationId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(DISTINCT subscription_id) AS delivered, "
                        + "COUNT(DISTINCT CASE WHEN type = 'shown' THEN subscription_id END) AS shown, "
                        + "COUNT(DISTINCT CASE WHEN type IN ('clicked', 'action') THEN subscription_id END) AS clicked, "
                        + "COUNT(DISTINCT CASE WHEN type = 'closed' THEN subscription_id END) AS closed "
                        + "FROM notification_events WHERE notification_id = ?")
                .bind(0, notificationId)
                .map((rs, ctx) -> new Engagement(rs.getInt("delivered"), rs.getInt("shown"), rs.getInt("clicked"), rs.getInt("closed")))
                .one());
    }

    /** Per category, over notifications created in {@code [from, to]}. */
    public record CategoryStats(String category, int notifications, int targeted, int sent, int suppressed, int delivered,
            int clicked) {
        public Double clickThroughRate() {
            return rate(clicked, delivered);
        }
    }

    public List<CategoryStats> stats(long from, long to) {
        return jdbi.withHandle(h -> {
            Map<String, int[]> rows = new LinkedHashMap<>();
            h.createQuery("SELECT COALESCE(category, '') AS category, COUNT(*) AS n FROM notifications WHERE created_at >= :from "
                            + "AND created_at <= :to GROUP BY COALESCE(category, '') ORDER BY 1")
                    .bind("from", from).bind("to", to)
                    .map((rs, ctx) -> Map.entry(rs.getString("category"), rs.getInt("n")))
                    .forEach(e -> rows.computeIfAbsent(e.getKey(), k -> new int[6])[0] = e.getValue());
            h.createQuery("SELECT COALESCE(n.category, '') AS category, COUNT(*) AS targeted, "
                            + "SUM(CASE WHEN d.state = 'sent' THEN 1 ELSE 0 END) AS sent, "
                            + "SUM(CASE WHEN d.state = 'suppressed' THEN 1 ELSE 0 END) AS suppressed "
                            + "FROM deliveries d JOIN notifications n ON n.id = d.notification_id "
                            + "WHERE n.created_at >= :from AND n.created_at <= :to GROUP BY COALESCE(n.category, '')")
                    .bind("from", from).bind("to", to)
                    .map((rs, ctx) -> Map.entry(rs.getString("category"), new int[] {rs.getInt("targeted"), rs.getInt("sent"),
                            rs.getInt("suppressed")}))
                    .forEach(e -> System.arraycopy(e.getValue(), 0, rows.computeIfAbsent(e.getKey(), k -> new int[6]), 1, 3));
            h.createQuery("SELECT COALESCE(n.category, '') AS category, COUNT(DISTINCT e.notification_id || ' ' || e.subscription_id) AS delivered, "
                            + "COUNT(DISTINCT CASE WHEN e.type IN ('clicked', 'action') THEN e.notification_id || ' ' || e.subscription_id END) AS clicked "
                            + "FROM notification_events e JOIN notifications n ON n.id = e.notification_id "
                            + "WHERE n.created_at >= :from AND n.created_at <= :to GROUP BY COALESCE(n.category, '')")
                    .bind("from", from).bind("to", to)
                    .map((rs, ctx) -> Map.entry(rs.getString("category"), new int[] {rs.getInt("delivered"), rs.getInt("clicked")}))
                    .forEach(e -> System.arraycopy(e.getValue(), 0, rows.computeIfAbsent(e.getKey(), k -> new int[6]), 4, 2));
            return rows.entrySet().stream().map(e -> {
                int[] r = e.getValue();
                return new CategoryStats(e.getKey().isEmpty() ? null : e.getKey(), r[0], r[1], r[2], r[3], r[4], r[5]);
            }).toList();
        });
    }
}
