package dev.herald.server.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One rate's Bucket4j buckets, one per key, in bounded memory: a key idle for a whole refill period is dropped
 * (its bucket would be full again, the same as a new one, so forgetting it changes nothing), and past
 * {@code maxKeys} the least recently used key is dropped (it then starts with a full bucket: the bound trades
 * strictness for memory, under an attack from more keys than that). Thread-safe; the map lock is held only to
 * find the bucket, never while consuming.
 */
final class Buckets {
    private final Rate rate;
    private final int maxKeys;
    private final TimeMeter time;
    private final long idleNanos;
    private final LinkedHashMap<String, Entry> byKey = new LinkedHashMap<>(16, 0.75f, true);

    private static final class Entry {
        final Bucket bucket;
        volatile long lastUsed;

        Entry(Bucket bucket, long now) {
            this.bucket = bucket;
            this.lastUsed = now;
        }
    }

    Buckets(Rate rate, int maxKeys, TimeMeter time) {
        this.rate = rate;
        this.maxKeys = maxKeys;
        this.time = time;
        this.idleNanos = rate.period().toNanos();
    }

    /** Takes {@code tokens} from {@code key}'s bucket; ZERO when taken, else how long until there would be enough. */
    Duration take(String key, long tokens) {
        long now = time.currentTimeNanos();
        Entry entry = entry(key, now);
        ConsumptionProbe probe = entry.bucket.tryConsumeAndReturnRemaining(Math.min(tokens, rate.tokens()));
        return probe.isConsumed() ? Duration.ZERO : Duration.ofNanos(Math.max(1, probe.getNanosToWaitForRefill()));
    }

    /** Gives back what {@link #take} took, when another bucket of the same request refused it. */
    void refund(String key, long tokens) {
        Entry entry;
        synchronized (this) {
            entry = byKey.get(key);
        }
        if (entry != null) {
            entry.bucket.addTokens(Math.min(tokens, rate.tokens()));
        }
    }

    /** Keys held now (for tests of the bound). */
    synchronized int size() {
        return byKey.size();
    }

    private synchronized Entry entry(String key, long now) {
        Entry entry = byKey.get(key);
        if (entry == null) {
            evictIdle(now);
            if (byKey.size() >= maxKeys) {
                Iterator<Map.Entry<String, Entry>> eldest = byKey.entrySet().iterator();
                eldest.next();
                eldest.remove();
            }
            entry = new Entry(Bucket.builder()
                    .addLimit(l -> l.capacity(rate.tokens()).refillGreedy(rate.tokens(), rate.period()))
                    .withCustomTimePrecision(time).build(), now);
            byKey.put(key, entry);
        }
        entry.lastUsed = now;
        return entry;
    }

    /** Least recently used first: stop at the first key used within a period. */
    private void evictIdle(long now) {
        Iterator<Entry> it = byKey.values().iterator();
        while (it.hasNext()) {
            if (now - it.next().lastUsed < idleNanos) {
                return;
            }
            it.remove();
        }
    }
}
