package dev.herald.server.delivery;

import dev.herald.server.common.Rows;
import dev.herald.server.notification.NotificationStatus;
import dev.herald.server.preference.DeliveryGate;
import dev.herald.server.storage.Dialect;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The durable delivery queue and the fan-out that fills it, in SQL. Rows move
 * {@code queued → leased → sent | queued (retry) | failed | expired | gone | cancelled}; a lease that runs out
 * makes the row claimable again, which is how a crash loses nothing. Claims skip rows other nodes hold on
 * PostgreSQL; SQLite's single writer makes the same statement atomic.
 */
final class DeliveryQueue {
    /** Queued or leased, as a SQL list. */
    static final String PENDING = DeliveryState.sqlList(DeliveryState.QUEUED, DeliveryState.LEASED);

    private final Jdbi jdbi;
    private final Dialect dialect;
    private final DeliveryGate gate;
    private final FanOutHold hold;
    private volatile RecordedOutcomes listener = RecordedOutcomes.NONE;
    private final DeliveryContent content;

    DeliveryQueue(Jdbi jdbi, Dialect dialect, DeliveryGate gate, FanOutHold hold, DeliveryContent content) {
        this.jdbi = jdbi;
        this.dialect = dialect;
        this.gate = gate;
        this.hold = hold;
        this.content = content;
    }

    void listen(RecordedOutcomes listener) {
        this.listener = listener;
    }

    /** A leased delivery; {@code expiresAt} is its own expiry when it has one (local-time sends), else null. */
    /** {@code locale}: the variant chosen for it at fan-out (see {@link DeliveryContent}); null: the default. */
    record Claimed(long id, String notificationId, String subscriptionId, int attempts, Long expiresAt, String locale) {}

    record Target(String id, String endpoint, String origin, String p256dh, String auth, String encoding, String userId) {}

    record Message(String id, PushPayload payload, String urgency, String topic, long expiresAt) {}

    record FanOutJob(DeliveryGate.Job job, String audience, String cursor) {
        String notificationId() {
            return job.notificationId();
        }
    }

    /** Claims up to {@code limit} due or lease-expired deliveries, leasing them until {@code leaseUntil}. */
    List<Claimed> claim(int limit, long now, long leaseUntil) {
        return jdbi.withHandle(h -> h.createQuery("UPDATE deliveries SET state = '" + DeliveryState.LEASED.token()
                        + "', next_at = :lease, attempts = attempts + 1, updated_at = :now WHERE id IN (SELECT id FROM deliveries "
                        + "WHERE state IN " + PENDING + " AND next_at <= :now ORDER BY next_at LIMIT :limit"
                        + dialect.skipLocked() + ") RETURNING id, notification_id, subscription_id, attempts, expires_at, locale")
                .bind("lease", leaseUntil).bind("now", now).bind("limit", limit)
                .map((rs, ctx) -> new Claimed(rs.getLong("id"), rs.getString("notification_id"),
                        rs.getString("subscription_id"), rs.getInt("attempts"), Rows.nullableLong(rs, "expires_at"),
                        rs.getString("locale")))
                .list());
    }

    Map<String, Target> targets(Collection<String> subscriptionIds) {
        if (subscriptionIds.isEmpty()) {
            return Map.of();
        }
        return jdbi.withHandle(h -> h.createQuery("SELECT id, endpoint, origin, p256dh, auth, encoding, user_id FROM subscriptions "
                        + "WHERE id " + dialect.inJsonArray("ids"))
                .bind("ids", jsonArray(subscriptionIds))
                .map((rs, ctx) -> new Target(rs.getString("id"), rs.getString("endpoint"), rs.getString("origin"), rs.getString("p256dh"),
                        rs.getString("auth"), rs.getString("encoding"), rs.getString("user_id")))
                .stream().collect(Collectors.toMap(Target::id, t -> t)));
    }

    Optional<Message> message(String notificationId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, payload, urgency, topic, expires_at FROM notifications WHERE id = ?")
                .bind(0, notificationId)
                .map((rs, ctx) -> new Message(rs.getString("id"), PushPayload.of(rs.getBytes("payload")),
                        rs.getString("urgency"), rs.getString("topic"), rs.getLong("expires_at")))
                .findOne());
    }

    /**
     * Writes a batch of outcomes in one transaction, and moves each answered subscription's count of consecutive
     * 400s: a 2xx resets it; a 400 adds one, and the one that reaches {@code goneAfterBadRequests} (0: never) ends
     * as gone, deleting the subscription. Returns the outcomes as written.
     */
    List<Outcome> record(List<Outcome> outcomes, long now, OutcomePolicy policy) {
        if (outcomes.isEmpty()) {
            return outcomes;
        }
        return jdbi.inTransaction(h -> {
            PreparedBatch update = h.prepareBatch("UPDATE deliveries SET state = :state, next_at = COALESCE(:nextAt, next_at), "
                    + "last_status = :status, last_error = :error, updated_at = :now "
                    + "WHERE id = :id AND state = '" + DeliveryState.LEASED.token() + "' AND attempts = :attempts");
            List<String> gone = new ArrayList<>();
            for (Outcome o : outcomes) {
                update.bind("state", o.state().token()).bind("nextAt", o.nextAt()).bind("status", o.status())
                        .bind("error", o.error()).bind("now", now).bind("id", o.deliveryId()).bind("attempts", o.attempts())
                        .add();
                if (o.goneSubscription() != null) {
                    gone.add(o.goneSubscription());
                }
            }
            int[] applied = update.execute();
            List<Outcome> written = new ArrayList<>(outcomes.size());
            List<String> answered = new ArrayList<>();
            for (int i = 0; i < outcomes.size(); i++) {
                Outcome o = outcomes.get(i);
                if (applied[i] > 0 && o.resetsStrikes()) {
                    answered.add(o.subscription());
                } else if (applied[i] > 0 && o.badRequest()) {
                    int strikes = h.createQuery("UPDATE subscriptions SET bad_requests = bad_requests + 1 WHERE id = ? "
                            + "RETURNING bad_requests").bind(0, o.subscription()).mapTo(Integer.class).findOne().orElse(0);
                    Outcome counted = policy.afterStrikes(o, strikes);
                    if (counted != o) {
                        o = counted;
                        h.createUpdate("UPDATE deliveries SET state = :state, last_error = :error WHERE id = :id")
                                .bind("state", o.state().token()).bind("error", o.error()).bind("id", o.deliveryId()).execute();
                        gone.add(o.goneSubscription());
                    }
                }
                written.add(o);
            }
            List<RecordedOutcomes.Recorded> recorded = new ArrayList<>();
            for (int i = 0; i < written.size(); i++) {
                if (applied[i] > 0) {
                    recorded.add(written.get(i).recorded());
                }
            }
            listener.recorded(h, recorded, now);
            if (!answered.isEmpty()) {
                h.createUpdate("UPDATE subscriptions SET bad_requests = 0 WHERE id " + dialect.inJsonArray("ids")
                        + " AND bad_requests <> 0").bind("ids", jsonArray(answered)).execute();
            }
            if (!gone.isEmpty()) {
                h.createUpdate("DELETE FROM subscriptions WHERE id " + dialect.inJsonArray("ids")).bind("ids", jsonArray(gone))
                        .execute();
            }
            return written;
        });
    }

    /** Ids as a JSON array, for {@link Dialect#inJsonArray}. */
    private static String jsonArray(Collection<String> ids) {
        try {
            return dev.herald.server.http.Json.MAPPER.writeValueAsString(ids);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Takes the next notification due for fan-out whose fan-out lease is free. */
    Optional<FanOutJob> claimFanOut(long now, long leaseUntil) {
        return jdbi.withHandle(h -> h.createQuery("UPDATE notifications SET lease_until = :lease WHERE id IN (SELECT id FROM "
                        + "notifications WHERE status = '" + NotificationStatus.FANOUT.token() + "' AND send_at <= :now AND lease_until <= :now ORDER BY send_at "
                        + "LIMIT 1" + dialect.skipLocked() + ") RETURNING id, audience, fanout_cursor, category, urgency, "
                        + "ttl, send_at, expires_at, send_at_local, respect_quiet_hours")
                .bind("lease", leaseUntil).bind("now", now)
                .map((rs, ctx) -> new FanOutJob(new DeliveryGate.Job(rs.getString("id"), rs.getString("category"),
                        rs.getString("urgency"), rs.getInt("ttl"), rs.getLong("send_at"), rs.getLong("expires_at"),
                        rs.getString("send_at_local"), rs.getInt("respect_quiet_hours") != 0),
                        rs.getString("audience"), rs.getString("fanout_cursor")))
                .findOne());
    }

    /**
     * Queues one page of the audience after {@code job.cursor()} and moves the cursor, in one transaction, so a
     * crash between pages resumes where it stopped and a repeated page inserts nothing twice. Returns the job for
     * the next page, or empty when fan-out is complete (or the notification was cancelled meanwhile).
     */
    Optional<FanOutJob> fanOutPage(FanOutJob job, AudienceSql audience, int page, long now, long leaseUntil) {
        return jdbi.inTransaction(h -> {
            NotificationStatus status = h.createQuery("SELECT status FROM notifications WHERE id = ?").bind(0, job.notificationId())
                    .mapTo(String.class).map(NotificationStatus::of).findOne().orElse(NotificationStatus.CANCELLED);
            if (status != NotificationStatus.FANOUT) {
                return Optional.<FanOutJob>empty();
            }
            List<DeliveryGate.Recipient> recipients = audience.page(h, job.cursor(), page);
            if (!hold.hold(h, job.notificationId(), recipients, now)) {
                insertDeliveries(h, job.notificationId(), gate.plan(h, job.job(), recipients, now), now);
                if (!recipients.isEmpty()) {
                    recordLocales(h, job.notificationId(), content.locales(h, job.notificationId(),
                            recipients.stream().map(DeliveryGate.Recipient::subscriptionId).toList()));
                }
            }
            String cursor = recipients.isEmpty() ? job.cursor() : recipients.get(recipients.size() - 1).subscriptionId();
            boolean done = recipients.size() < page;
            h.createUpdate("UPDATE notifications SET fanout_cursor = :cursor, lease_until = :lease, status = :status WHERE id = :id")
                    .bind("cursor", cursor).bind("lease", done ? 0 : leaseUntil)
                    .bind("status", (done ? NotificationStatus.ACTIVE : NotificationStatus.FANOUT).token())
                    .bind("id", job.notificationId()).execute();
            return done ? Optional.<FanOutJob>empty()
                    : Optional.of(new FanOutJob(job.job(), job.audience(), cursor));
        });
    }

    /**
     * Counts a failed fan-out attempt and keeps its reason; at {@code max} the notification becomes {@code failed}.
     * Returns whether it did.
     */
    boolean fanOutFailed(String notificationId, String reason, int max) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("UPDATE notifications SET fanout_failures = fanout_failures + 1, fanout_error = :reason, "
                            + "status = CASE WHEN fanout_failures + 1 >= :max THEN :failed ELSE status END "
                            + "WHERE id = :id AND status = :fanout")
                    .bind("reason", reason).bind("max", max).bind("id", notificationId)
                    .bind("failed", NotificationStatus.FAILED.token()).bind("fanout", NotificationStatus.FANOUT.token()).execute();
            return h.createQuery("SELECT status FROM notifications WHERE id = ?").bind(0, notificationId)
                    .mapTo(String.class).findOne().orElse("").equals(NotificationStatus.FAILED.token());
        });
    }

    /** Queued rows, and suppressed ones with their reason, so the counts show what preferences held back. */
    private static void insertDeliveries(Handle h, String notificationId, List<DeliveryGate.Planned> planned, long now) {
        if (planned.isEmpty()) {
            return;
        }
        PreparedBatch batch = h.prepareBatch("INSERT INTO deliveries (notification_id, subscription_id, state, attempts, "
                + "next_at, expires_at, last_error, updated_at) VALUES (:n, :s, :state, 0, :due, :expires, :reason, :now) "
                + "ON CONFLICT DO NOTHING");
        for (DeliveryGate.Planned p : planned) {
            batch.bind("n", notificationId).bind("s", p.subscriptionId()).bind("state", (p.suppressed() ? DeliveryState.SUPPRESSED : DeliveryState.QUEUED).token())
                    .bind("due", p.dueAt()).bind("expires", p.expiresAt()).bind("reason", p.reason()).bind("now", now).add();
        }
        batch.execute();
    }

    /** Records the locale chosen for each of a notification's deliveries, by subscription (absent: the default). */
    private static void recordLocales(Handle h, String notificationId, Map<String, String> locales) {
        Map<String, List<String>> byTag = new java.util.HashMap<>();
        locales.forEach((subscription, tag) -> byTag.computeIfAbsent(tag, t -> new ArrayList<>()).add(subscription));
        byTag.forEach((tag, ids) -> h.createUpdate("UPDATE deliveries SET locale = :tag WHERE notification_id = :n "
                        + "AND subscription_id IN (<ids>)")
                .bind("tag", tag).bind("n", notificationId).bindList("ids", ids).execute());
    }

    /** Deliveries waiting to be sent or in flight, across all notifications (the queue depth gauge). */
    long depth() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM deliveries WHERE state IN " + PENDING)
                .mapTo(Long.class).one());
    }
}
