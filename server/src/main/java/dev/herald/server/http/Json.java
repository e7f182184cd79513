package dev.herald.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reading request bodies and writing responses as JSON. Bodies are read up to a limit (so a client cannot
 * make the server buffer gigabytes), must be one JSON object, and may not repeat a key.
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Where a body already read (for an Idempotency-Key fingerprint) is kept for the handler. */
    public static final String BODY_ATTRIBUTE = "herald.body";

    private Json() {}

    /** The body as a JSON object, or an {@link ApiException} saying exactly what is wrong with it. */
    public static ObjectNode readObject(Context ctx, int maxBytes) {
        ObjectNode object = readOptionalObject(ctx, maxBytes);
        if (object == null) {
            throw new ApiException(ErrorCode.MALFORMED_JSON, "the request body is empty; expected a JSON object");
        }
        return object;
    }

    /** Like {@link #readObject}, but an empty body is allowed and gives null. */
    public static ObjectNode readOptionalObject(Context ctx, int maxBytes) {
        String type = ctx.contentType();
        if (type != null && !type.isBlank()) {
            String base = type.split(";")[0].strip().toLowerCase();
            if (!base.equals("application/json") && !base.endsWith("+json")) {
                throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                        "Content-Type is '" + base + "'; send application/json");
            }
        }
        byte[] body = ctx.attribute(BODY_ATTRIBUTE) instanceof byte[] read ? read : readBounded(ctx, maxBytes);
        if (body.length == 0) {
            return null;
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiException(ErrorCode.MALFORMED_JSON, "invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiException(ErrorCode.MALFORMED_JSON, "invalid JSON");
        }
        if (!(node instanceof ObjectNode object)) {
            throw new ApiException(ErrorCode.MALFORMED_JSON, "expected a JSON object, got " + node.getNodeType().name().toLowerCase());
        }
        checkStorable(object, "");
        return object;
    }

    /**
     * Refuses what JSON can spell but Herald cannot store or give back unchanged, anywhere in a body (documents and
     * {@code data} included): a number too large for a double ({@code 1e999999999} would come back as "Infinity"),
     * a lone UTF-16 surrogate ({@code "\ud800"} has no UTF-8 form; it would come back as "?") — both 400
     * malformed-json, as I-JSON (RFC 7493) excludes them — and U+0000 in a string or a member name, which
     * PostgreSQL's text and jsonb cannot hold (422 invalid-field). Other control characters are JSON data; the
     * text fields Herald interprets refuse them in {@link Fields}.
     */
    private static void checkStorable(JsonNode node, String path) {
        if (node.isObject()) {
            for (var it = node.properties().iterator(); it.hasNext(); ) {
                var member = it.next();
                String child = path.isEmpty() ? Fields.printablePath(member.getKey()) : path + "." + Fields.printablePath(member.getKey());
                checkString(member.getKey(), child);
                checkStorable(member.getValue(), child);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkStorable(node.get(i), path + "[" + i + "]");
            }
        } else if (node.isTextual()) {
            checkString(node.textValue(), path);
        } else if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw new ApiException(ErrorCode.MALFORMED_JSON, path + " is a number out of range (a finite double is required)");
        }
    }

    private static void checkString(String s, String path) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                throw new ApiException(ErrorCode.INVALID_FIELD, path + " contains U+0000, which cannot be stored", path);
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new ApiException(ErrorCode.MALFORMED_JSON, path + " contains a lone UTF-16 surrogate (\\u"
                        + Integer.toHexString(c) + "); strings must be valid Unicode");
            }
        }
    }

    /** Reads at most {@code maxBytes}; a larger body (declared or actual) is refused with 413. */
    public static byte[] readBounded(Context ctx, int maxBytes) {
        long declared = ctx.contentLength();
        if (declared > maxBytes) {
            throw new ApiException(ErrorCode.BODY_TOO_LARGE, "the body is " + declared + " bytes; at most " + maxBytes + " are accepted");
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] data = in.readNBytes(maxBytes + 1);
            if (data.length > maxBytes) {
                throw new ApiException(ErrorCode.BODY_TOO_LARGE, "the body is larger than " + maxBytes + " bytes");
            }
            return data;
        } catch (IOException e) {
            throw new ApiException(ErrorCode.MALFORMED_JSON, "the request body could not be read");
        }
    }

    public static void write(Context ctx, int status, Object value) {
        ctx.status(status).contentType("application/json").result(bytes(value));
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response not serialisable", e);
        }
    }

    public static String stringify(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
