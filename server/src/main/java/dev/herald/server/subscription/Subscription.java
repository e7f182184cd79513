package dev.herald.server.subscription;

import java.util.List;

/** A stored browser push subscription. Times are epoch milliseconds. */
public record Subscription(String id, String userId, String endpoint, String origin, String p256dh, String auth,
        String encoding, Long expirationTime, String timezone, String locale, String userAgent, List<String> topics,
        long createdAt, long updatedAt) {}
