package dev.herald.server.http;

/**
 * The one catalog of API errors: HTTP status, stable code (clients branch on it) and title. Rendered as
 * RFC 9457 problem+json with {@code type = urn:herald:error:<code>}. Codes never change meaning; new ones
 * are added. The list is published in docs/api.md.
 */
public enum ErrorCode {
    BAD_REQUEST(400, "bad-request", "The HTTP request is malformed"),
    MALFORMED_JSON(400, "malformed-json", "The request body is not valid JSON"),
    INVALID_PARAMETER(400, "invalid-parameter", "A path or query parameter is invalid"),
    INVALID_IDEMPOTENCY_KEY(400, "invalid-idempotency-key", "The Idempotency-Key header is malformed"),
    INVALID_CURSOR(400, "invalid-cursor", "The change-feed cursor is malformed"),
    UNAUTHENTICATED(401, "unauthenticated", "Authentication is required"),
    INVALID_TOKEN(401, "invalid-token", "The user token is invalid or expired"),
    INVALID_API_KEY(401, "invalid-api-key", "The API key is unknown or revoked"),
    FORBIDDEN(403, "forbidden", "The caller may not do this"),
    SERVER_OWNED(403, "server-owned", "Only a manage API key may set server-owned topics and tags"),
    CSRF_TOKEN_INVALID(403, "csrf-token-invalid", "The console request lacks its session's CSRF token"),
    NOT_FOUND(404, "not-found", "No such resource"),
    ROUTE_NOT_FOUND(404, "route-not-found", "No such route"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed on this route"),
    UNKNOWN_COLLECTION(404, "unknown-collection", "No such sync collection"),
    CONFLICT(409, "conflict", "The resource is not in a state that allows this"),
    IDEMPOTENCY_IN_FLIGHT(409, "idempotency-in-flight", "A request with this Idempotency-Key is still being processed"),
    CURSOR_EXPIRED(410, "cursor-expired", "The cursor is older than the tombstone horizon; reset and sync from the start"),
    BODY_TOO_LARGE(413, "body-too-large", "The request body is too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "The request body must be application/json"),
    MISSING_FIELD(422, "missing-field", "A required field is missing"),
    IDEMPOTENCY_KEY_REUSED(422, "idempotency-key-reused", "This Idempotency-Key was used with a different request"),
    INVALID_FIELD(422, "invalid-field", "A field has an invalid value"),
    ENDPOINT_NOT_ALLOWED(422, "endpoint-not-allowed", "The push endpoint is not an allowed push service"),
    WEBHOOK_URL_NOT_ALLOWED(422, "webhook-url-not-allowed", "The webhook URL is not allowed (https, a public address)"),
    WEBHOOK_LIMIT(422, "webhook-limit", "Too many webhook endpoints"),
    INVALID_SUBSCRIPTION_KEYS(422, "invalid-subscription-keys", "The subscription keys are malformed"),
    PAYLOAD_TOO_LARGE(422, "payload-too-large", "The notification does not fit a 4096-byte push message"),
    UNSUPPORTED_AUDIENCE(422, "unsupported-audience", "This audience is not supported"),
    UNKNOWN_CATEGORY(422, "unknown-category", "No such notification category"),
    UNKNOWN_TOPIC(422, "unknown-topic", "No such topic"),
    INVALID_TIMEZONE(422, "invalid-timezone", "Not an IANA time zone"),
    TOPIC_LIMIT(422, "topic-limit", "Too many topics"),
    CRITICAL_CATEGORY(422, "critical-category", "A critical category cannot be turned off"),
    UNKNOWN_ACTION(422, "unknown-action", "The notification declared no such action"),
    SYNC_QUOTA_EXCEEDED(422, "sync-quota-exceeded", "The user's documents in this collection would pass their quota"),
    UNKNOWN_LOCALE(422, "unknown-locale", "Not a known BCP 47 language tag"),
    UNKNOWN_TEMPLATE(422, "unknown-template", "No such template"),
    INVALID_TEMPLATE(422, "invalid-template", "A template does not compile"),
    MISSING_VARIABLE(422, "missing-variable", "The template uses a variable the data does not give"),
    ATTRIBUTES_TOO_LARGE(422, "attributes-too-large", "The user's attributes are too large"),
    NOT_A_RECIPIENT(403, "not-a-recipient", "The caller did not receive this notification"),
    SUBSCRIPTION_LIMIT(429, "subscription-limit", "Too many subscriptions"),
    RATE_LIMITED(429, "rate-limited", "Too many requests; retry after Retry-After seconds"),
    INTERNAL(500, "internal-error", "Internal error"),
    UNAVAILABLE(503, "unavailable", "The service is not ready");

    private final int status;
    private final String code;
    private final String title;

    ErrorCode(int status, String code, String title) {
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

    public String type() {
        return "urn:herald:error:" + code;
    }
}
