package dev.herald.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Set;

/**
 * Typed access to fields of a request object, failing with {@code missing-field}/{@code invalid-field}
 * problems that name the field's path ({@code subscription.keys.p256dh}). Unknown fields are refused too,
 * so a typo is an error rather than a silently ignored option.
 */
public final class Fields {
    private final ObjectNode node;
    private final String path;

    private Fields(ObjectNode node, String path) {
        this.node = node;
        this.path = path;
    }

    public static Fields of(ObjectNode node) {
        return new Fields(node, "");
    }

    /** {@code node}, reported as the field at {@code path} ({@code localized.de}). */
    public static Fields at(ObjectNode node, String path) {
        return new Fields(node, path);
    }

    public String path(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** Refuses members other than {@code allowed}. */
    public Fields only(Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw new ApiException(ErrorCode.INVALID_FIELD, path(name) + " is not a known field", path(name));
            }
        }
        return this;
    }

    public boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    private JsonNode required(String name) {
        if (!has(name)) {
            throw new ApiException(ErrorCode.MISSING_FIELD, path(name) + " is required", path(name));
        }
        return node.get(name);
    }

    private ApiException invalid(String name, String what) {
        return new ApiException(ErrorCode.INVALID_FIELD, path(name) + " " + what, path(name));
    }

    public Fields object(String name) {
        JsonNode v = required(name);
        if (!(v instanceof ObjectNode o)) {
            throw invalid(name, "must be an object");
        }
        return new Fields(o, path(name));
    }

    public ObjectNode rawObject() {
        return node;
    }

    /** A single-line text field: no control characters at all (C0, DEL, C1; tab and newline included). */
    public String text(String name, int maxLength) {
        return printable(anyText(name, maxLength), path(name), false);
    }

    /** A text field that may span lines (a notification's body): tab, CR and LF allowed, other controls refused. */
    public String multilineText(String name, int maxLength) {
        return printable(anyText(name, maxLength), path(name), true);
    }

    public String optionalMultilineText(String name, int maxLength) {
        return has(name) ? multilineText(name, maxLength) : null;
    }

    /**
     * {@code value} if it holds no control character (Unicode category Cc: U+0000-U+001F, U+007F-U+009F), else an
     * {@code invalid-field} problem for {@code path}. {@code multiline} lets tab, CR and LF through. Every text
     * field Herald interprets or stores as text passes here: a NUL is refused by PostgreSQL, and a newline or an
     * escape sequence in a user agent, tag or title ends up in logs, headers and notifications.
     */
    public static String printable(String value, String path, boolean multiline) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.getType(c) == Character.CONTROL && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) {
                throw new ApiException(ErrorCode.INVALID_FIELD, path + " contains the control character U+"
                        + String.format("%04X", (int) c) + (multiline ? "" : "; it must be one line of printable text"), path);
            }
        }
        return value;
    }

    /** A member name made safe to show in a problem's detail and field (control characters as \\uXXXX). */
    static String printablePath(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            out.append(Character.getType(c) == Character.CONTROL ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    private String anyText(String name, int maxLength) {
        JsonNode v = required(name);
        if (!v.isTextual()) {
            throw invalid(name, "must be a string");
        }
        String s = v.asText();
        if (s.isEmpty()) {
            throw invalid(name, "must not be empty");
        }
        if (s.length() > maxLength) {
            throw invalid(name, "is " + s.length() + " characters; at most " + maxLength + " are allowed");
        }
        return s;
    }

    public String optionalText(String name, int maxLength) {
        return has(name) ? text(name, maxLength) : null;
    }

    public long integer(String name, long min, long max) {
        JsonNode v = required(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw invalid(name, "must be a whole number");
        }
        long n = v.asLong();
        if (n < min || n > max) {
            throw invalid(name, "must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }

    public Long optionalInteger(String name, long min, long max) {
        return has(name) ? integer(name, min, max) : null;
    }

    /**
     * A time a client reports for something it saw (RFC 3339, UTC): no more than five minutes ahead of {@code now}
     * (clock skew) and no older than {@code maxAge}, named in the error as {@code days} days.
     */
    public Instant reportedTime(String name, Instant now, Duration maxAge) {
        Instant at;
        try {
            at = Instant.parse(text(name, 40));
        } catch (DateTimeParseException e) {
            throw invalid(name, "must be an RFC 3339 UTC time");
        }
        if (at.isAfter(now.plus(Duration.ofMinutes(5))) || at.isBefore(now.minus(maxAge))) {
            throw invalid(name, "must be within the last " + maxAge.toDays() + " days");
        }
        return at;
    }

    public boolean bool(String name, boolean absent) {
        if (!has(name)) {
            return absent;
        }
        JsonNode v = node.get(name);
        if (!v.isBoolean()) {
            throw invalid(name, "must be true or false");
        }
        return v.asBoolean();
    }

    public ArrayNode array(String name, int maxItems) {
        JsonNode v = required(name);
        if (!(v instanceof ArrayNode a)) {
            throw invalid(name, "must be an array");
        }
        if (a.size() > maxItems) {
            throw invalid(name, "has " + a.size() + " items; at most " + maxItems + " are allowed");
        }
        return a;
    }

    /** A non-empty array of objects, each as fields (problems name {@code name[i].member}). */
    public java.util.List<Fields> objects(String name, int maxItems) {
        ArrayNode a = array(name, maxItems);
        if (a.isEmpty()) {
            throw invalid(name, "must not be empty");
        }
        java.util.List<Fields> out = new java.util.ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            if (!(a.get(i) instanceof ObjectNode o)) {
                throw new ApiException(ErrorCode.INVALID_FIELD, path(name) + "[" + i + "] must be an object", path(name) + "[" + i + "]");
            }
            out.add(new Fields(o, path(name) + "[" + i + "]"));
        }
        return out;
    }

    /** A non-empty array of distinct non-empty strings, each at most {@code maxLength}. */
    public java.util.List<String> textArray(String name, int maxItems, int maxLength) {
        ArrayNode a = array(name, maxItems);
        if (a.isEmpty()) {
            throw invalid(name, "must not be empty");
        }
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (int i = 0; i < a.size(); i++) {
            JsonNode item = a.get(i);
            String p = path(name) + "[" + i + "]";
            if (!item.isTextual() || item.asText().isEmpty() || item.asText().length() > maxLength) {
                throw new ApiException(ErrorCode.INVALID_FIELD, p + " must be a non-empty string of at most " + maxLength + " characters", p);
            }
            out.add(printable(item.asText(), p, false));
        }
        return java.util.List.copyOf(out);
    }

    public ApiException error(String name, String message) {
        return invalid(name, message);
    }
}
