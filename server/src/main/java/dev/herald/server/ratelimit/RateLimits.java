package dev.herald.server.ratelimit;

import dev.herald.pushservice.Throttle;
import dev.herald.server.auth.Caller;
import dev.herald.server.common.Cidr;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import io.github.bucket4j.TimeMeter;
import io.javalin.http.Context;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Herald's rate limits: token buckets (Bucket4j) per action and kind of key, held in this node's memory. Per node
 * on purpose: a shared bucket would cost a database round trip on every limited request, and these limits only
 * have to stop floods, not count exactly; what must be exact (subscriptions, stored bytes, pending messages) is
 * enforced by quotas in the database. With N nodes behind a load balancer a client can get up to N times a rate.
 * Thread-safe.
 */
public final class RateLimits implements Throttle {
    private static final Logger log = LoggerFactory.getLogger(RateLimits.class);

    private final Map<Action, Map<Per, Buckets>> buckets = new EnumMap<>(Action.class);

    public RateLimits(RateLimitConfig config, Clock clock) {
        TimeMeter time = timeMeter(clock);
        for (Action a : Action.values()) {
            Map<Per, Buckets> byPer = new EnumMap<>(Per.class);
            config.limit(a).rates().forEach((per, rate) -> byPer.put(per, new Buckets(rate, config.maxKeys(), time)));
            buckets.put(a, byPer);
        }
    }

    /**
     * Takes {@code tokens} for {@code action} from the request's address bucket and its caller's user or key
     * bucket ({@code user}, when not null, stands for the user the request acts for); throws {@code 429
     * rate-limited} with {@code Retry-After} when one is empty.
     */
    public void check(Action action, Context ctx, Caller caller, String user, long tokens) {
        Map<Per, String> keys = new EnumMap<>(Per.class);
        keys.put(Per.ADDRESS, address(ctx.ip()));
        keys.put(Per.USER, user != null ? user : caller instanceof Caller.User u ? u.userId() : null);
        keys.put(Per.KEY, caller instanceof Caller.Key k ? k.keyId() : null);
        Duration wait = take(action, keys, tokens);
        if (!wait.isZero()) {
            log.debug("rate-limited: {} from {} ({})", action.key(), ctx.ip(), caller.identity());
            throw ApiException.retryAfter(ErrorCode.RATE_LIMITED, "too many " + action.key() + " requests; retry after "
                    + seconds(wait) + " s", seconds(wait));
        }
    }

    /** {@link #check} for one token, for the caller itself. */
    public void check(Action action, Context ctx, Caller caller) {
        check(action, ctx, caller, null, 1);
    }

    /** Bucket4j's time from the injected clock, so tests refill buckets by moving it. */
    static TimeMeter timeMeter(Clock clock) {
        return new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return clock.millis() * 1_000_000L;
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }

    @Override
    public Duration newUserAgent(String clientAddress) {
        return take(Action.PUSH_HELLO, Map.of(Per.ADDRESS, address(clientAddress)), 1);
    }

    @Override
    public Duration register(String uaid, String clientAddress) {
        return take(Action.PUSH_REGISTER, Map.of(Per.AGENT, uaid, Per.ADDRESS, address(clientAddress)), 1);
    }

    @Override
    public Duration message(String uaid, String channelId) {
        return take(Action.PUSH_MESSAGES, Map.of(Per.ENDPOINT, uaid + "/" + channelId), 1);
    }

    /**
     * Takes {@code tokens} from each configured bucket of {@code keys} (a null or empty key is skipped); when one
     * refuses, the others get theirs back, so a refused request costs nothing. ZERO, or the longest wait.
     */
    private Duration take(Action action, Map<Per, String> keys, long tokens) {
        Map<Per, Buckets> byPer = buckets.get(action);
        Map<Per, String> taken = new EnumMap<>(Per.class);
        Duration wait = Duration.ZERO;
        for (Map.Entry<Per, String> k : keys.entrySet()) {
            Buckets b = byPer.get(k.getKey());
            if (b == null || k.getValue() == null || k.getValue().isEmpty()) {
                continue;
            }
            Duration w = b.take(k.getValue(), tokens);
            if (w.isZero()) {
                taken.put(k.getKey(), k.getValue());
            } else if (w.compareTo(wait) > 0) {
                wait = w;
            }
        }
        if (!wait.isZero()) {
            taken.forEach((per, key) -> byPer.get(per).refund(key, tokens));
        }
        return wait;
    }

    /** An IPv4 address is one key; an IPv6 address is keyed by its /64, the block one subscriber usually holds. */
    static String address(String ip) {
        InetAddress a = Cidr.address(ip);
        if (!(a instanceof Inet6Address)) {
            return ip;
        }
        byte[] b = a.getAddress();
        return String.format("%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }
}
