package dev.herald.server.digest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.template.ContentTemplate;
import dev.herald.server.template.TemplateSyntaxException;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A notification's {@code digest} request: hold it per recipient under {@code key} for {@code windowSeconds}, then send
 * one summary. {@code max} is the most items the summary lists (the newest ones); its count always includes every
 * item. It is not a flush threshold: one window gives one summary, however many items arrive. {@code summary}, when
 * given, is a payload whose strings are templates filled with the window ({@code count}, {@code items}, {@code more});
 * null: the built-in summary.
 */
public record DigestSpec(String key, int windowSeconds, int max, ObjectNode summary) {
    public static final int MIN_WINDOW = 10;
    public static final int MAX_WINDOW = 7 * 86_400;
    public static final int MAX_ITEMS = 50;
    public static final int DEFAULT_MAX = 5;
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");

    public DigestSpec {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("bad digest key: " + key);
        }
        if (windowSeconds < MIN_WINDOW || windowSeconds > MAX_WINDOW) {
            throw new IllegalArgumentException("window out of range: " + windowSeconds);
        }
        if (max < 1 || max > MAX_ITEMS) {
            throw new IllegalArgumentException("max out of range: " + max);
        }
    }

    /** Parses the request's {@code digest} object: key and window required, max optional (5). */
    public static DigestSpec parse(Fields digest) {
        digest.only(Set.of("key", "window", "max", "summary"));
        String key = digest.text("key", 64);
        if (!KEY.matcher(key).matches()) {
            throw digest.error("key", "must be 1-64 characters of A-Z a-z 0-9 _ . : - starting with a letter or digit");
        }
        int window = (int) digest.integer("window", MIN_WINDOW, MAX_WINDOW);
        int max = digest.has("max") ? (int) digest.integer("max", 1, MAX_ITEMS) : DEFAULT_MAX;
        ObjectNode summary = null;
        if (digest.has("summary")) {
            Fields given = digest.object("summary");
            if (!given.has("title")) {
                throw new ApiException(ErrorCode.MISSING_FIELD, given.path("title") + " is required", given.path("title"));
            }
            try {
                ContentTemplate.parse(given.rawObject());
            } catch (TemplateSyntaxException e) {
                String field = e.field() == null ? given.path("title") : given.path(e.field());
                throw new ApiException(ErrorCode.INVALID_FIELD, field + ": " + e.getMessage(), field);
            }
            summary = given.rawObject().deepCopy();
        }
        return new DigestSpec(key, window, max, summary);
    }
}
