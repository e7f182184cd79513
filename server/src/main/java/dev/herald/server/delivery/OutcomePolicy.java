package dev.herald.server.delivery;

import dev.herald.webpush.DeliveryResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * DESIGN.md's outcome rules, as a pure function of the attempt, the push service's answer, the time and a source of
 * randomness (no database, no clock of its own): 201 → sent; 404/410 → gone (the subscription is deleted); 413 →
 * failed for good; 401/403 → failed (an operator alert); 400 → failed, and a strike against the subscription, which
 * after {@code goneAfterBadRequests} in a row (0: never) is treated as gone; 429, 5xx and transport failures →
 * retried by the {@link RetryPolicy} (honouring {@code Retry-After}) until the message expires or the attempts run out.
 */
final class OutcomePolicy {
    private static final int MAX_DETAIL = 300;

    /** The delivery being answered: its row, the attempt count that fences its write, and when its message expires. */
    record Attempt(long deliveryId, int attempts, String subscriptionId, long expiresAt) {}

    private final RetryPolicy retry;
    private final int goneAfterBadRequests;

    OutcomePolicy(RetryPolicy retry, int goneAfterBadRequests) {
        if (goneAfterBadRequests < 0) {
            throw new IllegalArgumentException("goneAfterBadRequests must be >= 0");
        }
        this.retry = retry;
        this.goneAfterBadRequests = goneAfterBadRequests;
    }

    /** Seconds of TTL the message has left at {@code now}; 0 or less: it expired before it was sent. */
    static long remainingSeconds(Attempt a, Instant now) {
        return (a.expiresAt() - now.toEpochMilli()) / 1000;
    }

    /** What the push service's answer makes of the attempt. */
    Outcome answered(Attempt a, DeliveryResult r, Instant now, DoubleSupplier random) {
        return switch (r) {
            case DeliveryResult.Created created -> new Outcome(a.deliveryId(), a.attempts(), DeliveryState.SENT, null, 201,
                    null, null, a.subscriptionId());
            case DeliveryResult.Gone g -> new Outcome(a.deliveryId(), a.attempts(), DeliveryState.GONE, null, g.status(),
                    reason("subscription gone (" + g.status() + ")", g.reason()), a.subscriptionId(), null);
            case DeliveryResult.PayloadTooLarge p -> Outcome.of(a, DeliveryState.FAILED, null, 413,
                    reason("push service refused the payload size (413)", p.reason()));
            case DeliveryResult.Unauthorized u -> Outcome.of(a, DeliveryState.FAILED, null, u.status(),
                    reason("VAPID credentials refused (" + VapidAlerts.statusAndReason(u.status(), u.reason()) + ")", u.reason()));
            case DeliveryResult.Rejected rej -> new Outcome(a.deliveryId(), a.attempts(), DeliveryState.FAILED, null,
                    rej.status(), reason((VapidAlerts.isVapidReason(rej.reason()) ? "VAPID credentials refused ("
                            : "rejected (") + VapidAlerts.statusAndReason(rej.status(), rej.reason()) + ")", rej.reason()),
                    null, a.subscriptionId());
            case DeliveryResult.RateLimited rl -> retryOrExpire(a, rl.retryAfter(), 429, reason("rate limited (429)", rl.reason()),
                    now, random);
            case DeliveryResult.ServerError se -> retryOrExpire(a, se.retryAfter(), se.status(),
                    reason("push service error (" + se.status() + ")", se.reason()), now, random);
            case DeliveryResult.TransportFailure tf -> retryOrExpire(a, Optional.empty(), null,
                    "transport " + tf.kind().name().toLowerCase(java.util.Locale.ROOT) + ": " + tf.message(), now, random);
        };
    }

    /** The send could not be made at all (the sender threw): transient, so retried. */
    Outcome notSent(Attempt a, String error, Instant now, DoubleSupplier random) {
        return retryOrExpire(a, Optional.empty(), null, "not sent: " + error, now, random);
    }

    /**
     * A 400 outcome once the subscription's consecutive 400s are counted: at {@code goneAfterBadRequests} it ends as
     * gone (deleting the subscription), else it stays failed.
     */
    Outcome afterStrikes(Outcome o, int strikes) {
        if (!o.badRequest() || goneAfterBadRequests == 0 || strikes < goneAfterBadRequests) {
            return o;
        }
        return new Outcome(o.deliveryId(), o.attempts(), DeliveryState.GONE, null, o.status(), o.error() + "; " + strikes
                + " consecutive 400s: treated as gone", o.subscription(), o.subscription());
    }

    private Outcome retryOrExpire(Attempt a, Optional<Duration> retryAfter, Integer status, String error, Instant now,
            DoubleSupplier random) {
        return switch (retry.next(a.attempts(), retryAfter, now, Instant.ofEpochMilli(a.expiresAt()), random)) {
            case RetryPolicy.Decision.Retry r -> Outcome.of(a, DeliveryState.QUEUED, r.at().toEpochMilli(), status, error);
            case RetryPolicy.Decision.Expire x -> Outcome.of(a, DeliveryState.EXPIRED, null, status,
                    error + "; TTL runs out before the next retry");
            case RetryPolicy.Decision.GiveUp g -> Outcome.of(a, DeliveryState.FAILED, null, status,
                    error + "; gave up after " + a.attempts() + " attempts");
        };
    }

    static String reason(String what, String detail) {
        String d = detail == null ? "" : detail.strip();
        if (d.length() > MAX_DETAIL) {
            d = d.substring(0, MAX_DETAIL) + "…";
        }
        return d.isEmpty() ? what : what + ": " + d;
    }
}
