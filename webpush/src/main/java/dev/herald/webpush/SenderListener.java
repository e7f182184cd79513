package dev.herald.webpush;

import java.time.Duration;

/**
 * Observes every send, for metrics. Called on the HTTP client's threads; implementations must be quick
 * and must not throw. {@link #NONE} does nothing.
 */
@FunctionalInterface
public interface SenderListener {
    SenderListener NONE = (origin, result, latency) -> {};

    /** One request finished with {@code result} after {@code latency}, including time queued for a permit. */
    void onResult(String origin, DeliveryResult result, Duration latency);
}
