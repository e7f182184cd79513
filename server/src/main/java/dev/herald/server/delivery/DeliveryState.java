package dev.herald.server.delivery;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where one delivery (a row of {@code deliveries}) stands. {@code QUEUED} waits for its {@code next_at} (a first
 * attempt or a retry), {@code LEASED} is claimed by a node and on its way; the others are final. The token is
 * what the database and the API show.
 */
public enum DeliveryState {
    QUEUED, LEASED, SENT, FAILED, EXPIRED, GONE, CANCELLED, SUPPRESSED;

    private final String token = name().toLowerCase(Locale.ROOT);

    @JsonValue
    public String token() {
        return token;
    }

    /** Queued or leased: not settled yet. */
    public boolean pending() {
        return this == QUEUED || this == LEASED;
    }

    public static DeliveryState of(String token) {
        for (DeliveryState s : values()) {
            if (s.token.equals(token)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown delivery state " + token);
    }

    /** {@code ('queued', 'leased')}: a SQL list of these states' tokens, for statements built once. */
    static String sqlList(DeliveryState... states) {
        return Arrays.stream(states).map(s -> "'" + s.token + "'").collect(Collectors.joining(", ", "(", ")"));
    }
}
