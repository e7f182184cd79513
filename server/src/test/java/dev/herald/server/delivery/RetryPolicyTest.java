package dev.herald.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(5), Duration.ofMinutes(10), 12);
    private final Instant now = Instant.parse("2026-11-23T10:00:00Z");
    private final Instant farAway = now.plus(Duration.ofDays(1));

    @Test
    void backoffDoublesFromMinToMax() {
        assertThat(policy.backoff(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(policy.backoff(2)).isEqualTo(Duration.ofSeconds(10));
        assertThat(policy.backoff(5)).isEqualTo(Duration.ofSeconds(80));
        assertThat(policy.backoff(8)).isEqualTo(Duration.ofMinutes(10));
        assertThat(policy.backoff(1000)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void jitterStaysInTheUpperHalfOfTheStep() {
        assertThat(policy.next(3, Optional.empty(), now, farAway, () -> 0.0))
                .isEqualTo(new RetryPolicy.Decision.Retry(now.plusSeconds(10)));
        assertThat(policy.next(3, Optional.empty(), now, farAway, () -> 0.999999))
                .isEqualTo(new RetryPolicy.Decision.Retry(now.plusMillis(19_999)));
    }

    @Test
    void retryAfterWinsWhenLonger() {
        assertThat(policy.next(1, Optional.of(Duration.ofMinutes(3)), now, farAway, () -> 0.5))
                .isEqualTo(new RetryPolicy.Decision.Retry(now.plus(Duration.ofMinutes(3))));
        assertThat(policy.next(4, Optional.of(Duration.ofSeconds(1)), now, farAway, () -> 0.0))
                .isEqualTo(new RetryPolicy.Decision.Retry(now.plusSeconds(20)));
    }

    @Test
    void aRetryPastTheExpiryExpiresAndTooManyAttemptsGiveUp() {
        assertThat(policy.next(1, Optional.empty(), now, now.plusSeconds(2), () -> 0.0)).isEqualTo(new RetryPolicy.Decision.Expire());
        assertThat(policy.next(1, Optional.of(Duration.ofHours(2)), now, now.plus(Duration.ofHours(1)), () -> 0.0))
                .isEqualTo(new RetryPolicy.Decision.Expire());
        assertThat(policy.next(12, Optional.empty(), now, farAway, () -> 0.0)).isEqualTo(new RetryPolicy.Decision.GiveUp());
    }
}
