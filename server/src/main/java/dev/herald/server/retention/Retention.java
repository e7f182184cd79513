package dev.herald.server.retention;

import dev.herald.server.delivery.DeliveryHistory;
import dev.herald.server.delivery.DeliveryState;
import dev.herald.server.notification.NotificationStatus;
import dev.herald.server.engagement.DailyStats;
import dev.herald.server.engagement.EventStore;
import dev.herald.server.engagement.EventStore.CategoryStats;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.function.IntSupplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Keeps the database from growing for ever: rolls finished notifications up into {@link DailyStats}, then prunes
 * notifications with their deliveries and events, old events, and old daily statistics, in bounded batches.
 *
 * <p>A notification is <em>finished</em> when its fan-out is over and none of its deliveries is queued, scheduled
 * or in flight; it finished when its last delivery settled. It is rolled up once it has been finished for
 * {@code min(notification-retention, event-retention)}, so events that arrive while it is still kept count in
 * the raw rows first; an event that arrives later is still recorded (the notification's own counts show it) but
 * is not added to the daily statistics. Rolling up marks the notification in the same transaction that adds its
 * figures, so {@code /api/v1/stats} counts each notification exactly once: from the raw rows before, from the
 * daily statistics after. Only rolled-up rows are ever pruned.
 *
 * <p>Every delete is one short statement of at most {@code batch} rows. On SQLite, where writers take turns,
 * each batch is followed by a pause as long as the batch took, so fan-out and delivery writes get at least half
 * of the write lock's time while a large backlog is pruned.
 */
public final class Retention {
    /** Candidates examined per rollup page, and rolled-up notifications pruned per round. */
    private static final int PAGE = 200;

    /** The retention periods; {@code batch} rows per statement; {@code pauseBetweenBatches} for SQLite. */
    public record Config(Duration notifications, Duration events, Duration dailyStats, int batch, boolean pauseBetweenBatches) {
        public Config {
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be positive");
            }
        }
    }

    private record Candidate(String id, String category, long createdAt) {}

    private final Jdbi jdbi;
    private final Lock writeLock;
    private final DeliveryHistory deliveries;
    private final EventStore events;
    private final DailyStats daily;
    private final Clock clock;
    private final Config config;

    public Retention(Jdbi jdbi, Lock writeLock, DeliveryHistory deliveries, EventStore events, DailyStats daily, Clock clock,
            Config config) {
        this.jdbi = jdbi;
        this.writeLock = writeLock;
        this.deliveries = deliveries;
        this.events = events;
        this.daily = daily;
        this.clock = clock;
        this.config = config;
    }

    /** Rolls up what finished, then prunes what is past retention; returns how many rows were removed. */
    public synchronized int run() {
        rollUp();
        return prune();
    }

    /** Rolls up the notifications that finished long enough ago; returns how many. */
    int rollUp() {
        long now = clock.millis();
        long finishedBefore = now - Math.min(config.notifications().toMillis(), config.events().toMillis());
        int rolled = 0;
        String after = "";
        while (true) {
            String from = after;
            List<Candidate> page = jdbi.withHandle(h -> h.createQuery("SELECT id, category, created_at FROM notifications "
                            + "WHERE rolled_up_at IS NULL AND status <> :fanout AND created_at <= :before AND id > :after "
                            + "ORDER BY id LIMIT :page")
                    .bind("fanout", NotificationStatus.FANOUT.token()).bind("before", finishedBefore).bind("after", from).bind("page", PAGE)
                    .map((rs, ctx) -> new Candidate(rs.getString("id"), rs.getString("category"), rs.getLong("created_at")))
                    .list());
            Map<Candidate, DeliveryHistory.Settled> finished = new HashMap<>();
            for (Candidate c : page) {
                deliveries.settled(c.id())
                        .filter(s -> (s.lastSettledAt() == null ? c.createdAt() : s.lastSettledAt()) <= finishedBefore)
                        .ifPresent(s -> finished.put(c, s));
            }
            if (!finished.isEmpty()) {
                rolled += write(h -> rollUp(h, finished, now));
            }
            if (page.size() < PAGE) {
                return rolled;
            }
            after = page.get(page.size() - 1).id();
        }
    }

    private int rollUp(Handle h, Map<Candidate, DeliveryHistory.Settled> finished, long now) {
        Map<Long, Map<String, CategoryStats>> byDay = new HashMap<>();
        int rolled = 0;
        for (var e : finished.entrySet()) {
            Candidate c = e.getKey();
            DeliveryHistory.Settled s = e.getValue();
            // The mark comes first: another node rolling up the same notification waits here and then skips it.
            int marked = h.createUpdate("UPDATE notifications SET rolled_up_at = :now, finished_at = :finished WHERE id = :id "
                            + "AND rolled_up_at IS NULL")
                    .bind("now", now).bind("finished", s.lastSettledAt() == null ? c.createdAt() : s.lastSettledAt())
                    .bind("id", c.id()).execute();
            if (marked == 0) {
                continue;
            }
            EventStore.Engagement engagement = events.engagement(h, c.id());
            String category = c.category() == null ? "" : c.category();
            CategoryStats figures = new CategoryStats(category, 1, s.total(), s.count(DeliveryState.SENT),
                    s.count(DeliveryState.SUPPRESSED), s.count(DeliveryState.FAILED), s.count(DeliveryState.EXPIRED),
                    s.count(DeliveryState.GONE), s.count(DeliveryState.CANCELLED), engagement.delivered(),
                    engagement.shown(), engagement.clicked(), engagement.closed());
            byDay.computeIfAbsent(DailyStats.dayOf(c.createdAt()), d -> new HashMap<>()).merge(category, figures, CategoryStats::plus);
            rolled++;
        }
        byDay.forEach((day, categories) -> categories.values().forEach(figures -> daily.add(h, day, figures)));
        return rolled;
    }

    /** Removes what is past retention; returns how many rows. */
    int prune() {
        long now = clock.millis();
        int removed = 0;
        while (true) {
            List<String> ids = jdbi.withHandle(h -> h.createQuery("SELECT id FROM notifications WHERE rolled_up_at IS NOT NULL "
                            + "AND finished_at <= ? ORDER BY finished_at LIMIT ?")
                    .bind(0, now - config.notifications().toMillis()).bind(1, PAGE).mapTo(String.class).list());
            if (ids.isEmpty()) {
                break;
            }
            removed += drain(() -> deliveries.prune(ids, config.batch()));
            removed += drain(() -> events.prune(ids, config.batch()));
            removed += write(h -> h.createUpdate("DELETE FROM notifications WHERE id IN (<ids>)").bindList("ids", ids).execute());
        }
        removed += drain(() -> events.pruneRecordedBefore(now - config.events().toMillis(), config.batch()));
        removed += drain(() -> events.replays().pruneRecordedBefore(now - config.events().toMillis(), config.batch()));
        removed += locked(() -> daily.pruneBefore(DailyStats.dayOf(now - config.dailyStats().toMillis())));
        return removed;
    }

    /** Runs {@code step} (one bounded delete) until it removes less than a full batch. */
    private int drain(IntSupplier step) {
        int total = 0;
        while (true) {
            long started = System.nanoTime();
            int n = locked(step);
            total += n;
            if (n < config.batch()) {
                return total;
            }
            if (config.pauseBetweenBatches()) {
                pause(System.nanoTime() - started);
            }
        }
    }

    private static void pause(long nanos) {
        try {
            Thread.sleep(Duration.ofNanos(Math.max(nanos, 1_000_000)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while pruning", e);
        }
    }

    /** One autocommit statement under the SQLite writers' queue (see {@code Database.writeLock}). */
    private int locked(IntSupplier statement) {
        writeLock.lock();
        try {
            return statement.getAsInt();
        } finally {
            writeLock.unlock();
        }
    }

    private int write(org.jdbi.v3.core.HandleCallback<Integer, RuntimeException> work) {
        writeLock.lock();
        try {
            return jdbi.inTransaction(work);
        } finally {
            writeLock.unlock();
        }
    }
}
