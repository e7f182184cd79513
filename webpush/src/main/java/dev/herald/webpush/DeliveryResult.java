package dev.herald.webpush;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * What a push service answered, or that it could not be reached. Every answer is a value, never an
 * exception, so a caller's {@code switch} decides what each means for its subscription.
 * {@link #retryable()} says whether trying again later can succeed.
 */
public sealed interface DeliveryResult {

    /**
     * The machine-readable reason in a push service's refusal body, when it has one: Apple's
     * {@code {"reason":"BadJwtToken"}}, FCM's {@code "errorCode":"VapidPkHashMismatch"} (or the bare token in a text
     * body). Empty for anything else.
     */
    static Optional<String> reasonCode(String body) {
        return RefusalReason.code(body);
    }

    /** Whether the same request may succeed later (rate limits, server errors, transport failures). */
    default boolean retryable() {
        return false;
    }

    /** 201 (any 2xx): accepted; {@code location} is the message resource when the service gave one. */
    record Created(Optional<URI> location) implements DeliveryResult {}

    /** 404/410: the subscription no longer exists and should be deleted. */
    record Gone(int status, String reason) implements DeliveryResult {}

    /** 413: the push service refused the body size; never retry the same body. */
    record PayloadTooLarge(String reason) implements DeliveryResult {}

    /** 429: too many messages; wait {@code retryAfter} when given. */
    record RateLimited(Optional<Duration> retryAfter, String reason) implements DeliveryResult {
        @Override
        public boolean retryable() {
            return true;
        }
    }

    /** 401/403: VAPID credentials refused (wrong key for the subscription, bad subject, expired token). */
    record Unauthorized(int status, String reason) implements DeliveryResult {}

    /** Any other status the request cannot succeed with as it is (400, 3xx, …). */
    record Rejected(int status, String reason) implements DeliveryResult {}

    /** 5xx: the push service failed; retry later, honouring {@code retryAfter} when given. */
    record ServerError(int status, Optional<Duration> retryAfter, String reason) implements DeliveryResult {
        @Override
        public boolean retryable() {
            return true;
        }
    }

    /** No HTTP answer: timeout, refused or dropped connection, TLS failure. */
    record TransportFailure(Kind kind, String message) implements DeliveryResult {
        public enum Kind { CONNECT, TIMEOUT, IO }

        @Override
        public boolean retryable() {
            return true;
        }
    }
}
