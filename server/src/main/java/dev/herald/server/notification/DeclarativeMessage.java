package dev.herald.server.notification;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.webpush.ContentEncoding;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Turns a notification's {@code payload} into the Declarative Web Push message the service worker receives
 * ({@code {"web_push": 8030, "notification": {…}, "mutable": true, "herald": {…}}}), so Safari 18.4+ can show it
 * without JavaScript and {@code herald-sw.js} handles it everywhere else. URLs are made absolute against the
 * public URL, as declarative {@code navigate} requires.
 */
final class DeclarativeMessage {
    /** What fits one encrypted push, less the room each delivery's receipt takes. */
    static final int MAX_BYTES = ContentEncoding.AES128GCM.maxPlaintext() - dev.herald.server.engagement.Receipts.RESERVED_BYTES;
    private static final int MAX_ACTIONS = 4;
    /** The members a payload may have. */
    static final Set<String> FIELDS = Set.of("title", "body", "icon", "badge", "image", "url", "tag", "actions", "data", "lang",
            "dir", "silent", "requireInteraction", "renotify");

    private DeclarativeMessage() {}

    static byte[] build(String notificationId, String category, Fields payload, URI publicUrl) {
        payload.only(FIELDS);
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("title", payload.text("title", 250));
        putText(n, "body", payload.optionalMultilineText("body", 2000)); // bodies may span lines
        n.put("navigate", url(payload, "url", publicUrl, "/"));
        for (String key : new String[] {"icon", "badge", "image"}) {
            if (payload.has(key)) {
                n.put(key, url(payload, key, publicUrl, null));
            }
        }
        putText(n, "tag", payload.optionalText("tag", 128));
        putText(n, "lang", payload.optionalText("lang", 35));
        String dir = payload.optionalText("dir", 4);
        if (dir != null && !Set.of("auto", "ltr", "rtl").contains(dir)) {
            throw payload.error("dir", "must be auto, ltr or rtl");
        }
        putText(n, "dir", dir);
        if (payload.has("silent")) {
            n.put("silent", payload.bool("silent", false));
        }
        if (payload.has("requireInteraction")) {
            n.put("require_interaction", payload.bool("requireInteraction", false));
        }
        if (payload.has("renotify")) {
            if (!payload.has("tag")) {
                throw payload.error("renotify", "needs a tag");
            }
            n.put("renotify", payload.bool("renotify", false));
        }
        ArrayNode actions = Json.MAPPER.createArrayNode();
        if (payload.has("actions")) {
            ArrayNode given = payload.array("actions", MAX_ACTIONS);
            for (int i = 0; i < given.size(); i++) {
                if (!(given.get(i) instanceof ObjectNode o)) {
                    throw payload.error("actions", "[" + i + "] must be an object");
                }
                Fields a = Fields.of(o).only(Set.of("action", "title", "url", "icon"));
                ObjectNode out = actions.addObject();
                out.put("action", required(a, "action", 64, i));
                out.put("title", required(a, "title", 100, i));
                if (a.has("url")) {
                    out.put("navigate", url(a, "url", publicUrl, null));
                }
                if (a.has("icon")) {
                    out.put("icon", url(a, "icon", publicUrl, null));
                }
            }
            n.set("actions", actions);
        }
        ObjectNode herald = Json.MAPPER.createObjectNode();
        herald.put("notificationId", notificationId);
        if (category != null) {
            herald.put("category", category);
        }
        if (payload.has("data")) {
            JsonNode data = payload.rawObject().get("data");
            herald.set("data", data);
        }
        ObjectNode message = Json.MAPPER.createObjectNode();
        message.put("web_push", 8030);
        message.set("notification", n);
        message.put("mutable", true);
        message.set("herald", herald);
        byte[] bytes = Json.stringify(message).getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_BYTES) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "the push message would be " + bytes.length
                    + " bytes; at most " + MAX_BYTES + " bytes of JSON fit a 4096-byte encrypted push. Shorten the body "
                    + "or data, or send an id and let the service worker fetch the rest", "payload");
        }
        return bytes;
    }

    private static String required(Fields a, String name, int max, int index) {
        try {
            return a.text(name, max);
        } catch (ApiException e) {
            throw new ApiException(e.code(), "payload.actions[" + index + "]." + e.getMessage(), "payload.actions[" + index + "]." + name);
        }
    }

    private static void putText(ObjectNode n, String key, String value) {
        if (value != null) {
            n.put(key, value);
        }
    }

    /** An absolute http(s) URL, or a path resolved against the public URL. */
    private static String url(Fields f, String name, URI publicUrl, String fallback) {
        String value = f.has(name) ? f.text(name, 2048) : fallback;
        try {
            URI uri = new URI(value);
            if (uri.isAbsolute()) {
                if (!uri.getScheme().equals("https") && !uri.getScheme().equals("http")) {
                    throw f.error(name, "must be an http(s) URL or a path");
                }
                return uri.toString();
            }
            if (!value.startsWith("/") || value.startsWith("//")) {
                throw f.error(name, "must be an absolute http(s) URL or a path starting with /");
            }
            return publicUrl.resolve(uri).toString();
        } catch (URISyntaxException e) {
            throw f.error(name, "is not a valid URL");
        }
    }
}
