package dev.herald.server.notification;

/**
 * A stored notification; {@code status}: see {@link NotificationStatus}. Times are epoch milliseconds; {@code ttl} is
 * seconds. {@code sendAtLocal}: see {@link LocalSend}.
 */
public record Notification(String id, String apiKeyId, NotificationStatus status, String audience, String category, String payload,
        int ttl, String urgency, String topic, long sendAt, long expiresAt, String fanoutCursor, long createdAt, String sendAtLocal,
        boolean respectQuietHours) {}
