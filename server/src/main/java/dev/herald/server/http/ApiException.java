package dev.herald.server.http;

/**
 * A request that cannot be served, with its catalog code and a detail a client developer can act on.
 * {@code field} is the JSON path of the offending field, when there is one.
 */
public final class ApiException extends RuntimeException {
    private final ErrorCode code;
    private final String field;

    public ApiException(ErrorCode code, String detail) {
        this(code, detail, null);
    }

    public ApiException(ErrorCode code, String detail, String field) {
        super(detail, null, false, false);
        this.code = code;
        this.field = field;
    }

    public ErrorCode code() {
        return code;
    }

    public String field() {
        return field;
    }
}
