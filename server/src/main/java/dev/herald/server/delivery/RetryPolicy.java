package dev.herald.server.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When to try a delivery again after a transient failure (429, 5xx, no connection): exponential backoff from
 * {@code min} doubling to {@code max}, with "equal jitter" (a random point in the upper half of the step, so
 * retries from one outage spread out but never come sooner than half the step), and never sooner than the push
 * service's {@code Retry-After}. A retry that would land after the message's expiry is not made: the delivery
 * has expired. After {@code maxAttempts} sends it is given up.
 */
public record RetryPolicy(Duration min, Duration max, int maxAttempts) {

    public sealed interface Decision {
        record Retry(Instant at) implements Decision {}

        record Expire() implements Decision {}

        record GiveUp() implements Decision {}
    }

    public RetryPolicy {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0 || maxAttempts < 1) {
            throw new IllegalArgumentException("retry policy needs 0 < min <= max and maxAttempts >= 1");
        }
    }

    /**
     * @param attempts   sends made so far, including the one that just failed (1 after the first)
     * @param retryAfter the push service's {@code Retry-After}, if it gave one
     * @param random     a source of uniform numbers in [0, 1)
     */
    public Decision next(int attempts, Optional<Duration> retryAfter, Instant now, Instant expiresAt, DoubleSupplier random) {
        if (attempts >= maxAttempts) {
            return new Decision.GiveUp();
        }
        Duration step = backoff(attempts);
        long halfMillis = step.toMillis() / 2;
        Duration delay = Duration.ofMillis(halfMillis + (long) (random.getAsDouble() * (step.toMillis() - halfMillis)));
        if (retryAfter.isPresent() && retryAfter.get().compareTo(delay) > 0) {
            delay = retryAfter.get();
        }
        Instant at = now.plus(delay);
        return at.isBefore(expiresAt) ? new Decision.Retry(at) : new Decision.Expire();
    }

    /** The un-jittered step after {@code attempts} failures: min, 2·min, 4·min, … capped at max. */
    Duration backoff(int attempts) {
        int doublings = Math.min(Math.max(attempts - 1, 0), 40);
        long millis = min.toMillis();
        for (int i = 0; i < doublings && millis < max.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, max.toMillis()));
    }
}
