package dev.herald.server.ops;

import java.time.Duration;
import java.util.Map;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Periodic housekeeping (expired idempotency keys, old tombstones) on one background thread. */
public final class Maintenance implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Maintenance.class);

    private final Map<String, IntSupplier> tasks;
    private final Thread thread;

    /** Runs every task now and then every {@code interval}; each returns how many records it removed. */
    public Maintenance(Map<String, IntSupplier> tasks, Duration interval) {
        this.tasks = Map.copyOf(tasks);
        this.thread = Thread.ofPlatform().name("herald-maintenance").daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                tasks.forEach((name, task) -> {
                    try {
                        int removed = task.getAsInt();
                        if (removed > 0) {
                            log.info("maintenance: {} removed {}", name, removed);
                        }
                    } catch (RuntimeException e) {
                        log.warn("maintenance task {} failed; will retry", name, e);
                    }
                });
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Runs every task once on the calling thread; a task's failure propagates (tests move a fake clock, then call this). */
    public void runNow() {
        tasks.values().forEach(IntSupplier::getAsInt);
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
