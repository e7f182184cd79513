package dev.herald.server.common;

import java.time.Instant;

/** Epoch milliseconds in the database, RFC 3339 UTC strings in the API. */
public final class Times {
    private Times() {}

    public static String rfc3339(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    public static String rfc3339OrNull(Long epochMillis) {
        return epochMillis == null ? null : rfc3339(epochMillis);
    }
}
