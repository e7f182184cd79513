package dev.herald.server.delivery;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * What other features change in the delivery queue: cancelling a notification's queued deliveries, and for
 * retention, whether a notification's deliveries are all settled, what became of them, and removing them in bounded
 * batches. The queue's own SQL is in {@link DeliveryQueue}, the operators' reads in {@link DeliveryReads}.
 */
public final class DeliveryHistory {
    private final Jdbi jdbi;

    public DeliveryHistory(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** What became of a finished notification's deliveries: the count per final state and when the last settled. */
    public record Settled(Map<DeliveryState, Long> byState, Long lastSettledAt) {
        public long count(DeliveryState state) {
            return byState.getOrDefault(state, 0L);
        }

        public long total() {
            return byState.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * The settled deliveries of a notification, or empty while any is queued, scheduled (queued with a later
     * {@code next_at}) or in flight (leased). The pending check is an index probe, so calling this every minute for
     * a notification that is still sending is cheap; the counting only happens once it has finished.
     */
    public Optional<Settled> settled(String notificationId) {
        return jdbi.withHandle(h -> {
            boolean pending = h.createQuery("SELECT COUNT(*) FROM (SELECT 1 FROM deliveries WHERE notification_id = ? "
                            + "AND state IN " + DeliveryQueue.PENDING + " LIMIT 1) p")
                    .bind(0, notificationId).mapTo(Integer.class).one() > 0;
            if (pending) {
                return Optional.<Settled>empty();
            }
            Map<DeliveryState, Long> byState = new EnumMap<>(DeliveryState.class);
            long[] last = {Long.MIN_VALUE};
            h.createQuery("SELECT state, COUNT(*) AS n, MAX(updated_at) AS last FROM deliveries WHERE notification_id = ? "
                            + "GROUP BY state")
                    .bind(0, notificationId)
                    .map((rs, ctx) -> {
                        last[0] = Math.max(last[0], rs.getLong("last"));
                        return Map.entry(DeliveryState.of(rs.getString("state")), rs.getLong("n"));
                    })
                    .forEach(e -> byState.put(e.getKey(), e.getValue()));
            return Optional.of(new Settled(byState, byState.isEmpty() ? null : last[0]));
        });
    }

    /** Deletes up to {@code batch} deliveries of these notifications in one short transaction; returns how many. */
    public int prune(List<String> notificationIds, int batch) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries "
                        + "WHERE notification_id IN (<ids>) LIMIT :batch)")
                .bindList("ids", notificationIds).bind("batch", batch).execute());
    }

    /**
     * Cancels the notification's deliveries that are still queued, inside the caller's transaction (the one that
     * marks the notification cancelled). Leased ones are on their way and finish. Returns how many.
     */
    public static int cancelQueued(Handle h, String notificationId, long now) {
        return h.createUpdate("UPDATE deliveries SET state = :cancelled, updated_at = :now WHERE notification_id = :id "
                        + "AND state = :queued")
                .bind("cancelled", DeliveryState.CANCELLED.token()).bind("queued", DeliveryState.QUEUED.token())
                .bind("now", now).bind("id", notificationId).execute();
    }
}
