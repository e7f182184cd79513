package dev.herald.server.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for something the server does on its own threads (a delivery recorded), checking often and failing
 * with the last observed value after a generous deadline. This waits for an event, never for time to pass:
 * time-dependent behaviour is driven by the test's clock.
 */
public final class Eventually {
    private Eventually() {}

    public static void until(String what, BooleanSupplier condition) {
        until(what, Duration.ofSeconds(60), () -> condition.getAsBoolean(), () -> "");
    }

    public static <T> void until(String what, Duration timeout, BooleanSupplier condition, Supplier<T> observed) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; last seen: " + observed.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
