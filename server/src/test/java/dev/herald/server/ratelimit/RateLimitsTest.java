package dev.herald.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.webpush.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Buckets refill as the injected clock moves (no sleeps), stay bounded, and the settings parse strictly. */
class RateLimitsTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

    private RateLimits limits(Action action, String spec, int maxKeys) {
        return new RateLimits(new RateLimitConfig(Map.of(action, Limit.parse(action, spec)), maxKeys), clock);
    }

    @Test
    void aBucketEmptiesThenRefillsEvenlyAsTheClockMoves() {
        RateLimits limits = limits(Action.PUSH_HELLO, "address:3/1m", 100);
        for (int i = 0; i < 3; i++) {
            assertThat(limits.newUserAgent("198.51.100.1")).isZero();
        }
        assertThat(limits.newUserAgent("198.51.100.1")).as("one token per 20 s").isEqualTo(Duration.ofSeconds(20));
        assertThat(limits.newUserAgent("198.51.100.2")).as("another address has its own bucket").isZero();

        clock.advance(Duration.ofSeconds(19));
        assertThat(limits.newUserAgent("198.51.100.1")).isEqualTo(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(limits.newUserAgent("198.51.100.1")).isZero();
        assertThat(limits.newUserAgent("198.51.100.1")).isPositive();
        clock.advance(Duration.ofHours(1));
        for (int i = 0; i < 3; i++) {
            assertThat(limits.newUserAgent("198.51.100.1")).as("full again, never above capacity").isZero();
        }
        assertThat(limits.newUserAgent("198.51.100.1")).isPositive();
    }

    @Test
    void everyKindOfKeyIsCheckedAndTheLongestWaitWins() {
        RateLimits limits = limits(Action.PUSH_REGISTER, "agent:2/1m,address:3/1h", 100);
        assertThat(limits.register("ua1", "198.51.100.1")).isZero();
        assertThat(limits.register("ua1", "198.51.100.1")).isZero();
        assertThat(limits.register("ua1", "198.51.100.1")).as("the agent's bucket").isEqualTo(Duration.ofSeconds(30));
        assertThat(limits.register("ua2", "198.51.100.1")).as("the refused one gave the address its token back").isZero();
        assertThat(limits.register("ua3", "198.51.100.1")).as("the address bucket").isEqualTo(Duration.ofMinutes(20));
        assertThat(limits.register("ua4", "198.51.100.1")).as("ua4's bucket was refunded").isEqualTo(Duration.ofMinutes(20));
        clock.advance(Duration.ofMinutes(20));
        assertThat(limits.register("ua4", "198.51.100.1")).isZero();
        assertThat(limits.message("ua1", "c1")).as("not limited when not configured").isZero();
    }

    @Test
    void ipv6AddressesShareABucketPerSlash64() {
        RateLimits limits = limits(Action.PUSH_HELLO, "address:1/1h", 100);
        assertThat(limits.newUserAgent("2001:db8:1:2:0:0:0:1")).isZero();
        assertThat(limits.newUserAgent("2001:db8:1:2:ffff:0:0:9")).as("same /64").isPositive();
        assertThat(limits.newUserAgent("2001:db8:1:3:0:0:0:1")).as("next /64").isZero();
        assertThat(RateLimits.address("2001:db8:1:2:0:0:0:1")).isEqualTo("2001:0db8:0001:0002::/64");
        assertThat(RateLimits.address("203.0.113.5")).isEqualTo("203.0.113.5");
        assertThat(RateLimits.address("_hidden")).isEqualTo("_hidden");
    }

    @Test
    void memoryIsBoundedIdleKeysAreForgottenThenTheLeastRecentlyUsed() {
        Buckets buckets = new Buckets(Rate.parse("1/1m"), 3, RateLimits.timeMeter(clock));
        buckets.take("a", 1);
        buckets.take("b", 1);
        buckets.take("c", 1);
        buckets.take("a", 1); // a is now the most recently used, and empty
        buckets.take("d", 1); // past the bound: b, the least recently used, goes
        assertThat(buckets.size()).isEqualTo(3);
        assertThat(buckets.take("a", 1)).as("a kept its empty bucket").isPositive();
        assertThat(buckets.take("b", 1)).as("b starts over").isZero();

        clock.advance(Duration.ofMinutes(1));
        buckets.take("e", 1);
        assertThat(buckets.size()).as("keys idle for a whole period are dropped when a new key arrives").isEqualTo(1);
    }

    @Test
    void aBatchTakesOneTokenPerItem() {
        RateLimits limits = limits(Action.PUSH_MESSAGES, "endpoint:5/1m", 100);
        for (int i = 0; i < 5; i++) {
            assertThat(limits.message("ua", "c")).isZero();
        }
        assertThat(limits.message("ua", "c")).isPositive();
    }

    @Test
    void settingsParseStrictly() {
        assertThat(Limit.parse(Action.SUBSCRIBE, " address:600/1h , user:60/1h ").toString()).isEqualTo("address:600/1h,user:60/1h");
        assertThat(Limit.parse(Action.SUBSCRIBE, "off").rates()).isEmpty();
        assertThat(Rate.parse("30/1m")).isEqualTo(new Rate(30, Duration.ofMinutes(1)));
        assertThat(Rate.parse("7/2d").period()).isEqualTo(Duration.ofDays(2));
        assertThatThrownBy(() -> Limit.parse(Action.SUBSCRIBE, "endpoint:1/1m")).hasMessageContaining("key one of address, user");
        assertThatThrownBy(() -> Limit.parse(Action.SUBSCRIBE, "address:1/1m,address:2/1m")).hasMessageContaining("twice");
        for (String bad : new String[] {"address", "address:", "address:0/1m", "address:1/0m", "address:1/1y", "address:-1/1m",
                "address:1/m", "address:99999999999/1s"}) {
            assertThatThrownBy(() -> Limit.parse(Action.SUBSCRIBE, bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
