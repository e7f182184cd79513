package dev.herald.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.webpush.DeliveryResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** The outcome rules alone: no database, no push service, a fixed time and a fixed random source. */
class OutcomePolicyTest {
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final DoubleSupplier LOW = () -> 0.0;
    private final OutcomePolicy policy = new OutcomePolicy(new RetryPolicy(Duration.ofSeconds(5), Duration.ofMinutes(10), 4), 3);
    private final OutcomePolicy.Attempt first = attempt(1, NOW.plus(Duration.ofHours(1)));

    private static OutcomePolicy.Attempt attempt(int attempts, Instant expiresAt) {
        return new OutcomePolicy.Attempt(42, attempts, "sub1", expiresAt.toEpochMilli());
    }

    @Test
    void createdIsSentAndResetsTheSubscriptionsStrikes() {
        Outcome o = policy.answered(first, new DeliveryResult.Created(Optional.empty()), NOW, LOW);
        assertThat(o).isEqualTo(new Outcome(42, 1, DeliveryState.SENT, null, 201, null, null, "sub1"));
        assertThat(o.resetsStrikes()).isTrue();
    }

    @Test
    void notFoundAndGoneDeleteTheSubscription() {
        for (int status : new int[] {404, 410}) {
            Outcome o = policy.answered(first, new DeliveryResult.Gone(status, "unsubscribed"), NOW, LOW);
            assertThat(o.state()).isEqualTo(DeliveryState.GONE);
            assertThat(o.goneSubscription()).isEqualTo("sub1");
            assertThat(o.error()).isEqualTo("subscription gone (" + status + "): unsubscribed");
        }
    }

    @Test
    void tooLargeAndUnauthorizedFailWithoutRetryAndKeepTheSubscription() {
        Outcome big = policy.answered(first, new DeliveryResult.PayloadTooLarge(""), NOW, LOW);
        assertThat(big).isEqualTo(new Outcome(42, 1, DeliveryState.FAILED, null, 413, "push service refused the payload size (413)",
                null, null));
        Outcome vapid = policy.answered(first, new DeliveryResult.Unauthorized(403, "bad jwt"), NOW, LOW);
        assertThat(vapid.state()).isEqualTo(DeliveryState.FAILED);
        assertThat(vapid.goneSubscription()).isNull();
        assertThat(vapid.error()).startsWith("VAPID credentials refused (403");
        assertThat(vapid.badRequest()).isFalse();
    }

    @Test
    void aBadRequestIsAStrikeAndTheThirdInARowIsGone() {
        Outcome o = policy.answered(first, new DeliveryResult.Rejected(400, "malformed"), NOW, LOW);
        assertThat(o.state()).isEqualTo(DeliveryState.FAILED);
        assertThat(o.badRequest()).isTrue();
        assertThat(policy.afterStrikes(o, 2)).isSameAs(o);
        Outcome third = policy.afterStrikes(o, 3);
        assertThat(third.state()).isEqualTo(DeliveryState.GONE);
        assertThat(third.goneSubscription()).isEqualTo("sub1");
        assertThat(third.error()).endsWith("; 3 consecutive 400s: treated as gone");
    }

    @Test
    void strikesNeverEndASubscriptionWhenTheLimitIsZero() {
        OutcomePolicy never = new OutcomePolicy(new RetryPolicy(Duration.ofSeconds(5), Duration.ofMinutes(10), 4), 0);
        Outcome o = never.answered(first, new DeliveryResult.Rejected(400, ""), NOW, LOW);
        assertThat(never.afterStrikes(o, 1_000)).isSameAs(o);
    }

    @Test
    void otherRejectionsAreNotStrikes() {
        Outcome o = policy.answered(first, new DeliveryResult.Rejected(422, ""), NOW, LOW);
        assertThat(o.state()).isEqualTo(DeliveryState.FAILED);
        assertThat(policy.afterStrikes(o, 99)).isSameAs(o);
    }

    @Test
    void rateLimitedRetriesNoSoonerThanRetryAfter() {
        Outcome o = policy.answered(first, new DeliveryResult.RateLimited(Optional.of(Duration.ofSeconds(120)), "slow"), NOW, LOW);
        assertThat(o.state()).isEqualTo(DeliveryState.QUEUED);
        assertThat(o.nextAt()).isEqualTo(NOW.plusSeconds(120).toEpochMilli());
        assertThat(o.status()).isEqualTo(429);
    }

    @Test
    void serverErrorsBackOffExponentiallyWithJitterInTheUpperHalf() {
        DeliveryResult error = new DeliveryResult.ServerError(503, Optional.empty(), "");
        assertThat(policy.answered(first, error, NOW, LOW).nextAt()).isEqualTo(NOW.plusMillis(2_500).toEpochMilli());
        assertThat(policy.answered(attempt(3, NOW.plus(Duration.ofHours(1))), error, NOW, LOW).nextAt())
                .isEqualTo(NOW.plusSeconds(10).toEpochMilli());
        assertThat(policy.answered(attempt(3, NOW.plus(Duration.ofHours(1))), error, NOW, () -> 0.5).nextAt())
                .isEqualTo(NOW.plusSeconds(15).toEpochMilli());
    }

    @Test
    void aRetryPastTheMessagesExpiryExpiresIt() {
        Outcome o = policy.answered(attempt(1, NOW.plusSeconds(60)),
                new DeliveryResult.RateLimited(Optional.of(Duration.ofSeconds(120)), ""), NOW, LOW);
        assertThat(o.state()).isEqualTo(DeliveryState.EXPIRED);
        assertThat(o.error()).endsWith("; TTL runs out before the next retry");
    }

    @Test
    void transientFailuresGiveUpAfterTheLastAttempt() {
        Outcome o = policy.answered(attempt(4, NOW.plus(Duration.ofHours(1))),
                new DeliveryResult.TransportFailure(DeliveryResult.TransportFailure.Kind.TIMEOUT, "read timed out"), NOW, LOW);
        assertThat(o.state()).isEqualTo(DeliveryState.FAILED);
        assertThat(o.error()).isEqualTo("transport timeout: read timed out; gave up after 4 attempts");
    }

    @Test
    void aSendThatCouldNotBeMadeIsRetried() {
        Outcome o = policy.notSent(first, "connection reset", NOW, LOW);
        assertThat(o.state()).isEqualTo(DeliveryState.QUEUED);
        assertThat(o.error()).isEqualTo("not sent: connection reset");
        assertThat(o.status()).isNull();
    }

    @Test
    void remainingTtlIsWholeSecondsToTheExpiry() {
        assertThat(OutcomePolicy.remainingSeconds(attempt(1, NOW.plusMillis(90_999)), NOW)).isEqualTo(90);
        assertThat(OutcomePolicy.remainingSeconds(attempt(1, NOW.plusMillis(999)), NOW)).isZero();
    }

    @Test
    void longReasonsAreCut() {
        String reason = OutcomePolicy.reason("rejected (400)", "x".repeat(1000));
        assertThat(reason).hasSize("rejected (400): ".length() + 301).endsWith("x…");
    }
}
