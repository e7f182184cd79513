package dev.herald.server.notification;

import java.util.Locale;

/**
 * Where a stored notification stands (the {@code notifications.status} column): {@code FANOUT} waits for or is in
 * fan-out, {@code ACTIVE} is fanned out (its deliveries under way or done), {@code CANCELLED}, and {@code FAILED}
 * (fan-out failed too often; the reason is kept).
 */
public enum NotificationStatus {
    FANOUT, ACTIVE, CANCELLED, FAILED;

    private final String token = name().toLowerCase(Locale.ROOT);

    /** The value stored in the database. */
    public String token() {
        return token;
    }

    public static NotificationStatus of(String token) {
        for (NotificationStatus s : values()) {
            if (s.token.equals(token)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown notification status " + token);
    }
}
