package dev.herald.server.http;

/**
 * A request that cannot be served, with its catalog code and a detail a client developer can act on.
 * {@code field} is the JSON path of the offending field, when there is one.
 */
public final class ApiException extends RuntimeException {
    private final ErrorCode code;
    private final String field;
    private final long retryAfterSeconds;

    public ApiException(ErrorCode code, String detail) {
        this(code, detail, null);
    }

    public ApiException(ErrorCode code, String detail, String field) {
        this(code, detail, field, 0);
    }

    private ApiException(ErrorCode code, String detail, String field, long retryAfterSeconds) {
        super(detail, null, false, false);
        this.code = code;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A refusal the client may retry after {@code seconds} (sent as {@code Retry-After}). */
    public static ApiException retryAfter(ErrorCode code, String detail, long seconds) {
        return new ApiException(code, detail, null, Math.max(1, seconds));
    }

    /** Seconds for {@code Retry-After}; 0 when the refusal does not say. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public ErrorCode code() {
        return code;
    }

    public String field() {
        return field;
    }
}
