package dev.herald.pushservice;

/**
 * What the push service answers application servers when it refuses a message: HTTP status, a stable code
 * (the same catalog style as Herald's API, published in docs/api.md) and a title. The detail says which header.
 */
public enum PushError {
    NO_SUCH_ENDPOINT(404, "push-endpoint-unknown", "No such push endpoint"),
    ENDPOINT_GONE(410, "push-subscription-gone", "The subscription was unsubscribed"),
    TTL_REQUIRED(400, "push-ttl-required", "The TTL header is required"),
    INVALID_HEADER(400, "push-invalid-header", "A header has an invalid value"),
    ENCODING_REQUIRED(400, "push-encoding-required", "An encrypted body needs a supported Content-Encoding"),
    PAYLOAD_TOO_LARGE(413, "push-payload-too-large", "The body exceeds 4096 bytes"),
    VAPID_REQUIRED(401, "push-vapid-required", "This endpoint needs VAPID authentication"),
    VAPID_INVALID(401, "push-vapid-invalid", "The VAPID token is invalid"),
    VAPID_KEY_MISMATCH(403, "push-vapid-key-mismatch", "The VAPID key is not the one the subscription was made with"),
    TOO_MANY_MESSAGES(429, "push-too-many-messages", "The user agent has too many undelivered messages"),
    RATE_LIMITED(429, "rate-limited", "Too many messages for this subscription; retry after Retry-After seconds"),
    NO_SUCH_MESSAGE(404, "push-message-unknown", "No such undelivered message"),
    STORAGE_FULL(507, "push-storage-full", "The push service holds as many undelivered messages as it may");

    private final int status;
    private final String code;
    private final String title;

    PushError(int status, String code, String title) {
        this.status = status;
        this.code = code;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }
}
