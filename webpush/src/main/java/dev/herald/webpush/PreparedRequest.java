package dev.herald.webpush;

import java.net.URI;
import java.util.Map;

/**
 * A push request ready to send: endpoint, every header (TTL, Urgency, Topic, encryption and VAPID) and
 * the encrypted body. Immutable apart from the body array, which callers must not modify.
 */
public record PreparedRequest(URI endpoint, String origin, Map<String, String> headers, byte[] body) {
    public PreparedRequest {
        headers = Map.copyOf(headers);
    }
}
