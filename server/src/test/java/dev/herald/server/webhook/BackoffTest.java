package dev.herald.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The webhook retry schedule: the delays in turn, jitter, Retry-After, and a last attempt exactly a day after queueing. */
class BackoffTest {
    private static final long H = Duration.ofHours(1).toMillis();

    @Test
    void attemptsFollowTheScheduleAndTheLastIsADayAfterQueueing() {
        long created = 1_000_000;
        long now = created;
        int attempts = 1;
        StringBuilder times = new StringBuilder();
        while (Backoff.STANDARD.next(attempts, created, now, Optional.empty(), () -> 0.0) instanceof Backoff.Decision.Retry r) {
            now = r.at();
            attempts++;
            times.append(Duration.ofMillis(now - created)).append(' ');
        }
        assertThat(times.toString().strip()).isEqualTo("PT5S PT5M5S PT35M5S PT2H35M5S PT7H35M5S PT17H35M5S PT24H");
        assertThat(attempts).isEqualTo(8);
    }

    @Test
    void jitterStretchesAndRetryAfterIsHonouredButNeverPastTheDay() {
        assertThat(Backoff.STANDARD.next(1, 0, 0, Optional.empty(), () -> 1.0)).isEqualTo(new Backoff.Decision.Retry(5_500));
        assertThat(Backoff.STANDARD.next(1, 0, 0, Optional.of(Duration.ofMinutes(10)), () -> 0.0))
                .isEqualTo(new Backoff.Decision.Retry(600_000));
        assertThat(Backoff.STANDARD.next(3, 0, 23 * H, Optional.of(Duration.ofHours(5)), () -> 0.0))
                .isEqualTo(new Backoff.Decision.Retry(24 * H));
        assertThat(Backoff.STANDARD.next(9, 0, 24 * H, Optional.empty(), () -> 0.0)).isInstanceOf(Backoff.Decision.GiveUp.class);
    }
}
