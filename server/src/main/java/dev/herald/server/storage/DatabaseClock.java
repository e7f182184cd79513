package dev.herald.server.storage;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared database's time, for nodes that share PostgreSQL: the host's clock plus an offset to the database's
 * {@code clock_timestamp()}, measured at start and every {@link #RESAMPLE} (half a round trip of error). Leases, due
 * times and schedules written by one node and read by another then agree however wrong a host's clock is. Reading it
 * costs what the host clock costs; the database is asked only in the background. If it cannot be asked, the last
 * offset stays (zero before the first answer).
 *
 * <p>Thread-safe. One node on SQLite needs none of this: its host's clock is its database's clock.
 */
public final class DatabaseClock extends Clock implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DatabaseClock.class);
    static final long RESAMPLE_SECONDS = 30;
    /** How far a host may be off before it is worth a warning in the log. */
    private static final long WARN_OFFSET_MILLIS = 1_000;

    private final Clock host;
    private final Jdbi jdbi;
    private final ScheduledExecutorService sampler;
    private final AtomicLong offset; // database minus host, ms; shared with the views of other zones

    private DatabaseClock(Clock host, Jdbi jdbi, ScheduledExecutorService sampler, AtomicLong offset) {
        this.host = host;
        this.jdbi = jdbi;
        this.sampler = sampler;
        this.offset = offset;
    }

    /** Measures the offset once (so the first reading is already the database's time), then keeps it fresh. */
    public static DatabaseClock start(Clock host, Jdbi jdbi) {
        DatabaseClock clock = new DatabaseClock(host, jdbi, Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "herald-database-clock");
            t.setDaemon(true);
            return t;
        }), new AtomicLong());
        clock.sample();
        if (Math.abs(clock.offsetMillis()) > WARN_OFFSET_MILLIS) {
            log.warn("this host's clock is {} ms off the database's; leases and schedules use the database's time", -clock.offsetMillis());
        }
        clock.sampler.scheduleWithFixedDelay(clock::sample, RESAMPLE_SECONDS, RESAMPLE_SECONDS, TimeUnit.SECONDS);
        return clock;
    }

    private void sample() {
        try {
            long before = host.millis();
            long database = jdbi.withHandle(h -> h.createQuery("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)")
                    .mapTo(Long.class).one());
            long after = host.millis();
            offset.set(database - (before + after) / 2);
        } catch (RuntimeException e) {
            log.warn("cannot read the database's clock, keeping the last offset ({} ms): {}", offsetMillis(), e.getMessage());
        }
    }

    /** The database's time minus this host's, as last measured. */
    public long offsetMillis() {
        return offset.get();
    }

    @Override
    public long millis() {
        return host.millis() + offsetMillis();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return host.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new DatabaseClock(host.withZone(zone), jdbi, sampler, offset);
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
