package dev.herald.server.engagement;

import dev.herald.server.delivery.DeliveryReads;
import dev.herald.server.delivery.DeliveryState;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Engagement events from service workers, and the counts built from them. */
public final class EventStore {
    private final Jdbi jdbi;
    private final Clock clock;
    private final DailyStats daily;
    private final OutboxReplays replays;
    private final DeliveryReads deliveries;
    private final Listener listener;

    /** Told of each newly recorded event inside the transaction that records it (webhooks, subscription hygiene). */
    @FunctionalInterface
    public interface Listener {
        void recorded(Handle h, String notificationId, String subscriptionId, String type, String action, long occurredAt);
    }

    public EventStore(Jdbi jdbi, Clock clock, DailyStats daily) {
        this(jdbi, clock, daily, (h, n, s, type, action, at) -> {});
    }

    public EventStore(Jdbi jdbi, Clock clock, DailyStats daily, Listener listener) {
        this.jdbi = jdbi;
        this.deliveries = new DeliveryReads(jdbi);
        this.clock = clock;
        this.daily = daily;
        this.listener = listener;
        this.replays = new OutboxReplays(jdbi, clock);
    }

    /** The outbox replays browsers reported, kept as long as the events. */
    public OutboxReplays replays() {
        return replays;
    }

    /** Whether the notification's message declared a button with this {@code action} (in any of its variants). */
    boolean declaresAction(String notificationId, String action) {
        String payload = jdbi.withHandle(h -> h.createQuery("SELECT payload FROM notifications WHERE id = ?").bind(0, notificationId)
                .mapTo(String.class).findOne().orElse(null));
        if (payload == null) {
            return false;
        }
        try {
            for (com.fasterxml.jackson.databind.JsonNode actions : dev.herald.server.http.Json.MAPPER.readTree(payload).findValues("actions")) {
                for (com.fasterxml.jackson.databind.JsonNode a : actions) {
                    if (action.equals(a.path("action").asText(null))) {
                        return true;
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a stored notification payload is not JSON", e);
        }
        return false;
    }

    /** Whether {@code subscriptionId} was sent (or is being sent) {@code notificationId}. */
    boolean wasSent(String notificationId, String subscriptionId) {
        return deliveries.sentTo(notificationId, subscriptionId);
    }

    /** One of the user's subscriptions that was sent the notification. */
    Optional<String> sentToUser(String notificationId, String userId) {
        return deliveries.sentToUser(notificationId, userId);
    }

    /** Records an event; false when the same one was recorded before. */
    boolean record(String notificationId, String subscriptionId, String type, String action, long occurredAt) {
        return jdbi.inTransaction(h -> {
            boolean recorded = h.createUpdate("INSERT INTO notification_events (notification_id, subscription_id, type, action, "
                            + "occurred_at, recorded_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                    .bind(0, notificationId).bind(1, subscriptionId).bind(2, type).bind(3, action).bind(4, occurredAt)
                    .bind(5, clock.millis()).execute() == 1;
            if (recorded) {
                listener.recorded(h, notificationId, subscriptionId, type, action, occurredAt);
            }
            return recorded;
        });
    }

    /** Engagement of one notification: subscriptions that reported each kind of event. */
    public record Engagement(int delivered, int shown, int clicked, int closed) {
        public Double clickThroughRate() {
            return rate(clicked, delivered);
        }
    }

    /** Clicks (on the notification or an action) per delivered notification, 4 decimals; null before any delivery. */
    static Double rate(long clicked, long delivered) {
        return delivered == 0 ? null : Math.round(10_000.0 * clicked / delivered) / 10_000.0;
    }

    public Engagement engagement(String notificationId) {
        return jdbi.withHandle(h -> engagement(h, notificationId));
    }

    /** The same inside the caller's transaction (the rollup reads it where it marks the notification rolled up). */
    public Engagement engagement(Handle h, String notificationId) {
        return h.createQuery("SELECT COUNT(DISTINCT subscription_id) AS delivered, "
                        + "COUNT(DISTINCT CASE WHEN type = 'shown' THEN subscription_id END) AS shown, "
                        + "COUNT(DISTINCT CASE WHEN type IN ('clicked', 'action') THEN subscription_id END) AS clicked, "
                        + "COUNT(DISTINCT CASE WHEN type = 'closed' THEN subscription_id END) AS closed "
                        + "FROM notification_events WHERE notification_id = ?")
                .bind(0, notificationId)
                .map((rs, ctx) -> new Engagement(rs.getInt("delivered"), rs.getInt("shown"), rs.getInt("clicked"), rs.getInt("closed")))
                .one();
    }

    /** Deletes up to {@code batch} events of these notifications; returns how many. */
    public int prune(List<String> notificationIds, int batch) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM notification_events WHERE (notification_id, subscription_id, type, "
                        + "action) IN (SELECT notification_id, subscription_id, type, action FROM notification_events "
                        + "WHERE notification_id IN (<ids>) LIMIT :batch)")
                .bindList("ids", notificationIds).bind("batch", batch).execute());
    }

    /**
     * Deletes up to {@code batch} events recorded before {@code before} whose notification is already rolled up
     * into the daily statistics (the others still count from the raw rows); returns how many.
     */
    public int pruneRecordedBefore(long before, int batch) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM notification_events WHERE (notification_id, subscription_id, type, "
                        + "action) IN (SELECT e.notification_id, e.subscription_id, e.type, e.action FROM notification_events e "
                        + "JOIN notifications n ON n.id = e.notification_id WHERE e.recorded_at < ? AND n.rolled_up_at IS NOT NULL "
                        + "LIMIT ?)")
                .bind(0, before).bind(1, batch).execute());
    }

    /**
     * Per category, over notifications created in {@code [from, to]} that are not rolled up yet (rolled-up ones are
     * in {@link DailyStats}). Each figure counts deliveries in that state, except {@code notifications}, and the
     * engagement ones, which count subscriptions that reported such an event.
     */
    public record CategoryStats(String category, long notifications, long targeted, long sent, long suppressed, long failed,
            long expired, long gone, long cancelled, long delivered, long shown, long clicked, long closed) {
        public Double clickThroughRate() {
            return rate(clicked, delivered);
        }

        public CategoryStats plus(CategoryStats o) {
            return new CategoryStats(category, notifications + o.notifications, targeted + o.targeted, sent + o.sent,
                    suppressed + o.suppressed, failed + o.failed, expired + o.expired, gone + o.gone, cancelled + o.cancelled,
                    delivered + o.delivered, shown + o.shown, clicked + o.clicked, closed + o.closed);
        }

        long[] values() {
            return new long[] {notifications, targeted, sent, suppressed, failed, expired, gone, cancelled, delivered, shown,
                    clicked, closed};
        }

        static CategoryStats of(String category, long[] v) {
            return new CategoryStats(category, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]);
        }
    }

    /** The columns of {@link CategoryStats#values()}, which are also {@code daily_stats}' columns. */
    /** The figures after {@code targeted} that count deliveries in one state, in {@link #FIGURES}' order. */
    private static final List<DeliveryState> DELIVERY_FIGURES = List.of(DeliveryState.SENT, DeliveryState.SUPPRESSED,
            DeliveryState.FAILED, DeliveryState.EXPIRED, DeliveryState.GONE, DeliveryState.CANCELLED);

    static final java.util.List<String> FIGURES = List.of("notifications", "targeted", "sent", "suppressed", "failed", "expired",
            "gone", "cancelled", "delivered", "shown", "clicked", "closed");

    /**
     * Per category over notifications created in {@code [from, to]}: the raw rows of those not rolled up yet plus the
     * daily statistics of the rolled-up ones, which count when their UTC day starts in {@code [from, to)}.
     */
    public List<CategoryStats> stats(long from, long to) {
        Map<String, CategoryStats> merged = new java.util.TreeMap<>();
        for (CategoryStats s : unrolledStats(from, to)) {
            merged.merge(s.category(), s, CategoryStats::plus);
        }
        for (CategoryStats s : daily.between(from, to)) {
            merged.merge(s.category(), s, CategoryStats::plus);
        }
        return merged.values().stream().map(s -> s.category().isEmpty() ? CategoryStats.of(null, s.values()) : s).toList();
    }

    private List<CategoryStats> unrolledStats(long from, long to) {
        Map<String, Map<DeliveryState, Long>> byCategory = deliveries.byCategoryUnrolled(from, to);
        return jdbi.withHandle(h -> {
            Map<String, long[]> rows = new LinkedHashMap<>();
            String window = "n.created_at >= :from AND n.created_at <= :to AND n.rolled_up_at IS NULL";
            h.createQuery("SELECT COALESCE(category, '') AS category, COUNT(*) AS notifications FROM notifications n WHERE "
                            + window + " GROUP BY COALESCE(category, '')")
                    .bind("from", from).bind("to", to)
                    .map((rs, ctx) -> fill(rows, rs, 0, "notifications")).list();
            byCategory.forEach((category, byState) -> {
                long[] row = rows.computeIfAbsent(category, k -> new long[FIGURES.size()]);
                row[1] = byState.values().stream().mapToLong(Long::longValue).sum();
                for (int i = 2; i < DELIVERY_FIGURES.size() + 2; i++) {
                    row[i] = byState.getOrDefault(DELIVERY_FIGURES.get(i - 2), 0L);
                }
            });
            String pair = "e.notification_id || ' ' || e.subscription_id";
            h.createQuery("SELECT COALESCE(n.category, '') AS category, COUNT(DISTINCT " + pair + ") AS delivered, "
                            + "COUNT(DISTINCT CASE WHEN e.type = 'shown' THEN " + pair + " END) AS shown, "
                            + "COUNT(DISTINCT CASE WHEN e.type IN ('clicked', 'action') THEN " + pair + " END) AS clicked, "
                            + "COUNT(DISTINCT CASE WHEN e.type = 'closed' THEN " + pair + " END) AS closed "
                            + "FROM notification_events e JOIN notifications n ON n.id = e.notification_id WHERE " + window
                            + " GROUP BY COALESCE(n.category, '')")
                    .bind("from", from).bind("to", to)
                    .map((rs, ctx) -> fill(rows, rs, 8, "delivered", "shown", "clicked", "closed")).list();
            return rows.entrySet().stream().map(e -> CategoryStats.of(e.getKey(), e.getValue())).toList();
        });
    }

    private static int fill(Map<String, long[]> rows, java.sql.ResultSet rs, int offset, String... columns) throws java.sql.SQLException {
        long[] row = rows.computeIfAbsent(rs.getString("category"), k -> new long[FIGURES.size()]);
        for (int i = 0; i < columns.length; i++) {
            row[offset + i] = rs.getLong(columns[i]);
        }
        return 0;
    }
}
