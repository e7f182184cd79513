package dev.herald.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;

/** RFC 9457 problem details, as Herald renders every error. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String code, String field, String instance) {
    public static final String MEDIA_TYPE = "application/problem+json";

    static Problem of(ApiException e, String instance) {
        ErrorCode c = e.code();
        return new Problem(c.type(), c.title(), c.status(), e.getMessage(), c.code(), e.field(), instance);
    }
}
