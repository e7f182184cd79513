package dev.herald.server.webhook;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When a webhook message that was not answered 2xx is tried again: after each delay in turn (the last one repeats),
 * stretched by up to {@code jitter} of itself, never sooner than the receiver's {@code Retry-After}, and never past
 * {@code giveUpAfter} from the message's creation: the last attempt is made at that moment, then it is given up.
 * With the standard schedule the attempts fall at 0 s, 5 s, 5 min, 35 min, 2.6 h, 7.6 h, 17.6 h and 24 h.
 */
record Backoff(List<Duration> delays, Duration giveUpAfter, double jitter) {
    static final Backoff STANDARD = new Backoff(List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30),
            Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(14)), Duration.ofDays(1), 0.1);

    Backoff {
        delays = List.copyOf(delays);
        if (delays.isEmpty() || jitter < 0) {
            throw new IllegalArgumentException("a backoff needs delays and a jitter >= 0");
        }
    }

    sealed interface Decision {
        record Retry(long at) implements Decision {}

        record GiveUp() implements Decision {}
    }

    /** After attempt number {@code attempts} (1 for the first) failed at {@code now}. */
    Decision next(int attempts, long createdAt, long now, Optional<Duration> retryAfter, DoubleSupplier random) {
        long deadline = createdAt + giveUpAfter.toMillis();
        if (now >= deadline) {
            return new Decision.GiveUp();
        }
        long base = delays.get(Math.max(0, Math.min(attempts - 1, delays.size() - 1))).toMillis();
        long delay = base + (long) (base * jitter * random.getAsDouble());
        if (retryAfter.isPresent()) {
            delay = Math.max(delay, retryAfter.get().toMillis());
        }
        return new Decision.Retry(Math.min(now + delay, deadline));
    }
}
