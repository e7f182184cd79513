package dev.herald.server.notification;

/**
 * A stored notification. {@code status}: {@code fanout} (waiting for or in fan-out), {@code active} (fanned out,
 * deliveries under way or done), {@code cancelled}, {@code failed} (fan-out failed too often; the reason is kept). Times are epoch milliseconds; {@code ttl} is seconds. {@code sendAtLocal}: see {@link LocalSend}.
 */
public record Notification(String id, String apiKeyId, String status, String audience, String category, String payload,
        int ttl, String urgency, String topic, long sendAt, long expiresAt, String fanoutCursor, long createdAt, String sendAtLocal,
        boolean respectQuietHours) {

    public static final String FANOUT = "fanout";
    public static final String ACTIVE = "active";
    public static final String CANCELLED = "cancelled";
    public static final String FAILED = "failed";
}
