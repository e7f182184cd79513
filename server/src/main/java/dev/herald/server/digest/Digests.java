package dev.herald.server.digest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.herald.server.common.Ids;
import dev.herald.server.delivery.FanOutHold;
import dev.herald.server.preference.DeliveryGate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Holds notifications that ask for a digest. Fan-out hands their recipients here instead of queuing deliveries
 * ({@link FanOutHold}): per recipient (a user, or a subscription without one) and key, the first notification opens a
 * window, later ones join it, and {@link DigestRelease} sends one summary when the window ends.
 *
 * <p>Exactly one window is open per recipient and key, on any number of nodes: a unique index over open windows
 * decides who opens it ({@code INSERT … ON CONFLICT DO NOTHING}, and the loser joins), and a joiner locks the
 * window's row ({@code UPDATE … WHERE state = 'open'}) while it adds its item, so a release either waits for the
 * item or has already closed the window, in which case the joiner opens the next one. Everything is in the database,
 * so held items survive restarts.
 */
public final class Digests implements FanOutHold {
    private static final int OPEN_ATTEMPTS = 10;

    private final Jdbi jdbi;
    private final Clock clock;

    public Digests(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** Records that notification {@code notificationId} asks for a digest; inside the transaction that creates it. */
    public void request(Handle h, String notificationId, DigestSpec spec) {
        h.createUpdate("INSERT INTO notification_digests (notification_id, digest_key, window_seconds, max_items, summary) "
                        + "VALUES (?, ?, ?, ?, ?)")
                .bind(0, notificationId).bind(1, spec.key()).bind(2, spec.windowSeconds()).bind(3, spec.max())
                .bind(4, spec.summary() == null ? null : spec.summary().toString()).execute();
    }

    /** Who a digest is for: a user, or (user '') a subscription that has no user. */
    record Recipient(String userId, String subscriptionId) implements Comparable<Recipient> {
        static Recipient of(DeliveryGate.Recipient r) {
            return r.userId() != null ? new Recipient(r.userId(), "") : new Recipient("", r.subscriptionId());
        }

        @Override
        public int compareTo(Recipient o) {
            int c = userId.compareTo(o.userId);
            return c != 0 ? c : subscriptionId.compareTo(o.subscriptionId);
        }
    }

    @Override
    public boolean hold(Handle h, String notificationId, List<DeliveryGate.Recipient> page, long now) {
        Optional<DigestSpec> spec = spec(h, notificationId);
        if (spec.isEmpty()) {
            return false;
        }
        // Windows count from when the item was due, not from when fan-out reached it (which may lag behind).
        long at = h.createQuery("SELECT send_at FROM notifications WHERE id = ?").bind(0, notificationId)
                .mapTo(Long.class).findOne().orElse(now);
        // Sorted, so two fan-outs lock the windows they share in the same order and cannot deadlock.
        Map<Recipient, List<String>> byRecipient = new TreeMap<>();
        for (DeliveryGate.Recipient r : page) {
            byRecipient.computeIfAbsent(Recipient.of(r), k -> new ArrayList<>()).add(r.subscriptionId());
        }
        PreparedBatch targets = h.prepareBatch("INSERT INTO digest_targets (digest_id, subscription_id) VALUES (?, ?) "
                + "ON CONFLICT DO NOTHING");
        for (Map.Entry<Recipient, List<String>> e : byRecipient.entrySet()) {
            Recipient who = e.getKey();
            String digestId = openOrJoin(h, who, spec.get(), at, now);
            h.createUpdate("INSERT INTO digest_items (user_id, subscription_id, digest_key, notification_id, digest_id, added_at) "
                            + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                    .bind(0, who.userId()).bind(1, who.subscriptionId()).bind(2, spec.get().key()).bind(3, notificationId)
                    .bind(4, digestId).bind(5, at).execute();
            for (String subscription : e.getValue()) {
                targets.add(digestId, subscription);
            }
        }
        if (targets.size() > 0) {
            targets.execute();
        }
        return true;
    }

    private static Optional<DigestSpec> spec(Handle h, String notificationId) {
        return h.createQuery("SELECT digest_key, window_seconds, max_items FROM notification_digests WHERE notification_id = ?")
                .bind(0, notificationId)
                .map((rs, ctx) -> new DigestSpec(rs.getString(1), rs.getInt(2), rs.getInt(3), null))
                .findOne();
    }

    /** The open window's id, locked until {@code h} commits: joins the open one, or opens it. */
    private String openOrJoin(Handle h, Recipient who, DigestSpec spec, long at, long now) {
        for (int attempt = 0; attempt < OPEN_ATTEMPTS; attempt++) {
            Optional<String> open = h.createQuery("UPDATE digests SET updated_at = :now WHERE user_id = :u AND "
                            + "subscription_id = :s AND digest_key = :k AND state = 'open' RETURNING id")
                    .bind("now", now).bind("u", who.userId()).bind("s", who.subscriptionId()).bind("k", spec.key())
                    .mapTo(String.class).findOne();
            if (open.isPresent()) {
                return open.get();
            }
            // The window is elapsed time from the first item: a DST change in the user's zone does not stretch it.
            Optional<String> opened = h.createQuery("INSERT INTO digests (id, user_id, subscription_id, digest_key, state, "
                            + "max_items, opened_at, release_at, updated_at) VALUES (:id, :u, :s, :k, 'open', :max, :at, "
                            + ":release, :now) ON CONFLICT DO NOTHING RETURNING id")
                    .bind("id", Ids.next(clock)).bind("u", who.userId()).bind("s", who.subscriptionId()).bind("k", spec.key())
                    .bind("max", spec.max()).bind("at", at).bind("now", now).bind("release", at + spec.windowSeconds() * 1000L)
                    .mapTo(String.class).findOne();
            if (opened.isPresent()) {
                return opened.get();
            }
            // Another node opened it between our two statements (and may have released it since): look again.
        }
        throw new IllegalStateException("could not open or join the digest " + spec.key() + " of " + who);
    }

    /** What {@code GET /api/v1/notifications/{id}} shows of a notification's digest, if it has one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record View(String key, Integer window, Integer max, Integer held, Integer released, Integer count,
            List<String> items) {}

    /**
     * For a notification that asked for a digest: its key, window, max and how many recipients hold it in an open
     * window or got it in a released one. For a digest's summary: its key, count and the notifications it summarises.
     */
    public Optional<View> describe(String notificationId) {
        return jdbi.withHandle(h -> {
            Optional<DigestSpec> spec = spec(h, notificationId);
            if (spec.isPresent()) {
                Map<String, Integer> byState = new TreeMap<>();
                h.createQuery("SELECT d.state, COUNT(*) AS n FROM digest_items i JOIN digests d ON d.id = i.digest_id "
                                + "WHERE i.notification_id = ? GROUP BY d.state").bind(0, notificationId)
                        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getInt(2)))
                        .forEach(e -> byState.put(e.getKey(), e.getValue()));
                return Optional.of(new View(spec.get().key(), spec.get().windowSeconds(), spec.get().max(),
                        byState.getOrDefault("open", 0), byState.getOrDefault("released", 0), null, null));
            }
            record Summary(String id, String key, int count) {}
            Optional<Summary> summary = h.createQuery("SELECT id, digest_key, item_count FROM digests WHERE notification_id = ?")
                    .bind(0, notificationId).map((rs, ctx) -> new Summary(rs.getString(1), rs.getString(2), rs.getInt(3))).findOne();
            return summary.map(s -> new View(s.key(), null, null, null, null, s.count(), h.createQuery("SELECT notification_id "
                            + "FROM digest_items WHERE digest_id = ? ORDER BY added_at, notification_id")
                    .bind(0, s.id()).mapTo(String.class).list()));
        });
    }

    /** Deletes released windows older than {@code retentionMillis}, at most {@code batch}; returns how many. */
    public int prune(long retentionMillis, int batch) {
        long before = clock.millis() - retentionMillis;
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM digests WHERE id IN (SELECT id FROM digests WHERE "
                        + "state = 'released' AND released_at < :before LIMIT :batch)")
                .bind("before", before).bind("batch", batch).execute());
    }
}
