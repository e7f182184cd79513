package dev.herald.webpush;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * Bounds requests in flight per push-service origin without blocking a thread: an acquire either
 * completes at once or waits in a bounded queue until a release hands it the permit.
 */
final class OriginLimiter {
    private final int maxInFlight;
    private final int maxQueued;
    private final ConcurrentHashMap<String, Gate> gates = new ConcurrentHashMap<>();

    private static final class Gate {
        int inFlight;
        final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    }

    OriginLimiter(int maxInFlight, int maxQueued) {
        this.maxInFlight = maxInFlight;
        this.maxQueued = maxQueued;
    }

    CompletableFuture<Void> acquire(String origin) {
        Gate gate = gates.computeIfAbsent(origin, o -> new Gate());
        synchronized (gate) {
            if (gate.inFlight < maxInFlight) {
                gate.inFlight++;
                return CompletableFuture.completedFuture(null);
            }
            if (gate.waiting.size() >= maxQueued) {
                return CompletableFuture.failedFuture(new RejectedExecutionException(
                        maxQueued + " requests already wait for " + origin + "; slow down"));
            }
            CompletableFuture<Void> ticket = new CompletableFuture<>();
            gate.waiting.add(ticket);
            return ticket;
        }
    }

    void release(String origin) {
        Gate gate = gates.get(origin);
        CompletableFuture<Void> next;
        synchronized (gate) {
            next = gate.waiting.poll();
            if (next == null) {
                gate.inFlight--;
            }
        }
        if (next != null) {
            next.complete(null); // the permit passes straight to the next waiter
        }
    }
}
