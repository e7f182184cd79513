package dev.herald.pushservice;

import java.util.Map;

/**
 * The push service's answer to an application server: a status with headers ({@code Location}, {@code TTL}),
 * or a refusal with its {@link PushError} and a detail naming what was wrong.
 */
public record PushResponse(int status, Map<String, String> headers, PushError error, String detail) {
    public PushResponse {
        headers = Map.copyOf(headers);
    }

    static PushResponse ok(int status, Map<String, String> headers) {
        return new PushResponse(status, headers, null, null);
    }

    static PushResponse refuse(PushError error, String detail) {
        // A gone subscription stays gone: senders and caches need not ask again for a day.
        Map<String, String> headers = error.status() == 410 ? Map.of("Cache-Control", "max-age=86400") : Map.of();
        return new PushResponse(error.status(), headers, error, detail);
    }

    static PushResponse retryAfter(PushError error, String detail, java.time.Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        return new PushResponse(error.status(), Map.of("Retry-After", Long.toString(seconds)), error, detail);
    }
}
