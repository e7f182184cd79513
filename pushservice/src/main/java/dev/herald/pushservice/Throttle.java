package dev.herald.pushservice;

import java.time.Duration;

/**
 * Rate limits the host applies to the push service (Herald: token buckets per client address, user agent and
 * channel). Each call takes one token and answers how long to wait when there was none; {@link Duration#ZERO} means
 * go ahead. Implementations must be thread-safe and must not block.
 */
public interface Throttle {
    /** A {@code hello} without a known uaid: a new user agent (a stored row) from this client address. */
    Duration newUserAgent(String clientAddress);

    /** A {@code register} of a new channel by this user agent, connected from this client address. */
    Duration register(String uaid, String clientAddress);

    /** An application server's message for this channel. */
    Duration message(String uaid, String channelId);

    /** No limits. */
    Throttle NONE = new Throttle() {
        @Override
        public Duration newUserAgent(String clientAddress) {
            return Duration.ZERO;
        }

        @Override
        public Duration register(String uaid, String clientAddress) {
            return Duration.ZERO;
        }

        @Override
        public Duration message(String uaid, String channelId) {
            return Duration.ZERO;
        }
    };
}
