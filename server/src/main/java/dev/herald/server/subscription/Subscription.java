package dev.herald.server.subscription;

import java.util.List;
import java.util.Map;

/** A stored browser push subscription. Times are epoch milliseconds. */
public record Subscription(String id, String userId, String endpoint, String origin, String p256dh, String auth,
        String encoding, Long expirationTime, String timezone, String locale, String userAgent, List<String> topics,
        Map<String, String> tags, long createdAt, long updatedAt) {}
