package dev.herald.server.digest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.http.Json;
import dev.herald.server.template.ContentTemplate;
import dev.herald.server.template.Rendered;
import dev.herald.server.template.TemplateData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a released window says, as a notification {@code payload}. One item: that item, unchanged. Several: a summary
 * whose title counts them, whose body lists the newest {@code listed} titles (newest first, then "and N more"), and
 * whose click, icon, tag and language are the newest item's; {@code data.digest} names the key, the count and the
 * listed notifications, for a service worker or page that wants to show more.
 */
final class DigestContent {
    private DigestContent() {}

    /** A held notification: its id and the declarative message it would have been sent as. */
    record Item(String notificationId, JsonNode message) {
        JsonNode notification() {
            return message.path("notification");
        }

        String title() {
            return notification().path("title").asText("");
        }
    }

    /** {@code items} in arrival order; {@code listed} ≥ 1 of the newest are named. */
    static ObjectNode payload(String key, List<Item> items, int listed) {
        if (items.size() == 1) {
            return asPayload(items.getFirst());
        }
        List<Item> newestFirst = items.reversed();
        Item newest = newestFirst.getFirst();
        int shown = Math.min(listed, items.size());
        ObjectNode payload = Json.MAPPER.createObjectNode();
        payload.put("title", items.size() + " new notifications");
        StringBuilder body = new StringBuilder();
        ArrayNode ids = Json.MAPPER.createArrayNode();
        for (Item item : newestFirst.subList(0, shown)) {
            body.append(body.isEmpty() ? "" : "\n").append(item.title());
            ids.add(item.notificationId());
        }
        if (items.size() > shown) {
            body.append("\nand ").append(items.size() - shown).append(" more");
        }
        payload.put("body", body.toString());
        copy(newest.notification(), payload, "navigate", "url");
        for (String field : new String[] {"icon", "badge", "tag", "lang", "dir"}) {
            copy(newest.notification(), payload, field, field);
        }
        ObjectNode digest = payload.putObject("data").putObject("digest");
        digest.put("key", key).put("count", items.size()).set("notificationIds", ids);
        return payload;
    }

    /**
     * The window through the notification's own summary template, filled with {@code key}, {@code count} (all items),
     * {@code items} (the newest {@code listed}, newest first: {@code id, title, body, url, data}) and {@code more}
     * ({@code count} less those listed), so {@code {{#more}} and {{more}} {{#more.one}}other{{/more.one}}
     * {{#more.other}}others{{/more.other}}{{/more}}} reads right. {@code data.digest} is added as for the built-in one.
     */
    static Rendered<ObjectNode> templated(ContentTemplate template, String key, List<Item> items, int listed) {
        List<Item> shownItems = items.reversed().subList(0, Math.min(listed, items.size()));
        List<Map<String, Object>> list = new ArrayList<>();
        ArrayNode ids = Json.MAPPER.createArrayNode();
        for (Item item : shownItems) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", item.notificationId());
            m.put("title", item.title());
            m.put("body", item.notification().path("body").asText(""));
            m.put("url", item.notification().path("navigate").asText(""));
            m.put("data", TemplateData.of(item.message().path("herald").path("data")));
            list.add(m);
            ids.add(item.notificationId());
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("key", key);
        data.put("count", items.size());
        data.put("items", list);
        data.put("more", items.size() - shownItems.size());
        Rendered<ObjectNode> rendered = template.render(data);
        if (rendered instanceof Rendered.Ok<ObjectNode> ok) {
            ObjectNode payload = ok.value();
            if (!payload.has("url") && !shownItems.isEmpty()) {
                copy(shownItems.getFirst().notification(), payload, "navigate", "url");
            }
            ObjectNode extra = payload.get("data") instanceof ObjectNode d ? d : payload.putObject("data");
            extra.putObject("digest").put("key", key).put("count", items.size()).set("notificationIds", ids);
        }
        return rendered;
    }

    /** The request payload that builds {@code item}'s declarative message again (under the summary's own id). */
    static ObjectNode asPayload(Item item) {
        JsonNode n = item.notification();
        ObjectNode payload = Json.MAPPER.createObjectNode();
        copy(n, payload, "navigate", "url");
        for (String field : new String[] {"title", "body", "icon", "badge", "image", "tag", "lang", "dir", "silent", "renotify"}) {
            copy(n, payload, field, field);
        }
        copy(n, payload, "require_interaction", "requireInteraction");
        if (n.has("actions")) {
            ArrayNode actions = payload.putArray("actions");
            for (JsonNode a : n.path("actions")) {
                ObjectNode out = actions.addObject();
                copy(a, out, "action", "action");
                copy(a, out, "title", "title");
                copy(a, out, "navigate", "url");
                copy(a, out, "icon", "icon");
            }
        }
        JsonNode data = item.message().path("herald").get("data");
        if (data != null && !data.isNull()) {
            payload.set("data", data.deepCopy());
        }
        return payload;
    }

    private static void copy(JsonNode from, ObjectNode to, String name, String as) {
        JsonNode v = from.get(name);
        if (v != null && !v.isNull()) {
            to.set(as, v.deepCopy());
        }
    }
}
