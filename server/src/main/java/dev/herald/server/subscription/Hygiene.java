package dev.herald.server.subscription;

import dev.herald.server.webhook.EventType;
import dev.herald.server.webhook.WebhookEvents;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Subscription hygiene: each subscription's last successful delivery and last engagement, and the optional policy that
 * expires subscriptions with no successful delivery for a while. The times are written at most once a day per
 * subscription (a row is only touched when its time is a day old), inside the transaction that records the outcomes
 * or the event, so the hot path pays one statement per batch and almost no writes; they are accurate to a day.
 */
public final class Hygiene {
    static final long DAY = Duration.ofDays(1).toMillis();
    private static final int EXPIRE_BATCH = 500;
    /** The expiry scan runs at most this often (the maintenance thread calls it every minute). */
    private static final long EXPIRE_EVERY = Duration.ofHours(1).toMillis();

    private final Jdbi jdbi;
    private final Clock clock;
    private final WebhookEvents events;
    private final Duration expireAfter;
    private volatile long nextExpiry = Long.MIN_VALUE;

    /** {@code expireAfter}: zero turns expiry off. */
    public Hygiene(Jdbi jdbi, Clock clock, WebhookEvents events, Duration expireAfter) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.events = events;
        this.expireAfter = expireAfter;
    }

    /** These subscriptions were just sent to successfully (their push service answered 201). */
    public void delivered(Handle h, Collection<String> subscriptionIds, long now) {
        if (subscriptionIds.isEmpty()) {
            return;
        }
        h.createUpdate("UPDATE subscriptions SET last_success_at = :now WHERE id IN (<ids>) "
                        + "AND (last_success_at IS NULL OR last_success_at < :stale)")
                .bindList("ids", List.copyOf(subscriptionIds)).bind("now", now).bind("stale", now - DAY).execute();
    }

    /** Its service worker reported the notification shown or clicked. */
    public void engaged(Handle h, String subscriptionId, long now) {
        h.createUpdate("UPDATE subscriptions SET last_engaged_at = :now WHERE id = :id "
                        + "AND (last_engaged_at IS NULL OR last_engaged_at < :stale)")
                .bind("id", subscriptionId).bind("now", now).bind("stale", now - DAY).execute();
    }

    /** The SQL condition of a subscription stale since {@code :cutoff}: no success, and no re-subscribe, since then. */
    static final String STALE = "(last_success_at IS NULL OR last_success_at < :cutoff) AND updated_at < :cutoff";

    /**
     * The expiry policy (housekeeping): deletes subscriptions stale for {@code subscription-expire-after-days}, in
     * batches, each with its {@code subscription.deleted} events (reason {@code expired}); returns how many.
     */
    public int expire() {
        long now = clock.millis();
        if (expireAfter.isZero() || now < nextExpiry) {
            return 0;
        }
        nextExpiry = now + EXPIRE_EVERY;
        long cutoff = now - expireAfter.toMillis();
        int total = 0;
        int n;
        do {
            n = jdbi.inTransaction(h -> {
                record Gone(String id, String userId, Long lastSuccessAt) {}
                List<Gone> gone = h.createQuery("DELETE FROM subscriptions WHERE id IN (SELECT id FROM subscriptions WHERE "
                                + STALE + " ORDER BY id LIMIT :n) RETURNING id, user_id, last_success_at")
                        .bind("cutoff", cutoff).bind("n", EXPIRE_BATCH)
                        .map((rs, ctx) -> new Gone(rs.getString("id"), rs.getString("user_id"),
                                dev.herald.server.common.Rows.nullableLong(rs, "last_success_at")))
                        .list();
                if (events.wants(EventType.SUBSCRIPTION_DELETED)) {
                    events.emit(h, gone.stream().map(g -> new WebhookEvents.Event(EventType.SUBSCRIPTION_DELETED, now,
                            WebhookEvents.data("subscriptionId", g.id(), "userId", g.userId(), "reason", "expired",
                                    "lastSuccessAt", dev.herald.server.common.Times.rfc3339OrNull(g.lastSuccessAt())))).toList());
                }
                return gone.size();
            });
            total += n;
        } while (n == EXPIRE_BATCH);
        return total;
    }
}
