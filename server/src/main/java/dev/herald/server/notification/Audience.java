package dev.herald.server.notification;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.UserTokens;
import dev.herald.server.common.Ids;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import java.util.List;
import java.util.Set;

/** Who a notification is for. Stored as the JSON the request gave, so fan-out can resume after a crash. */
public sealed interface Audience {
    int MAX_IDS = 10_000;

    record Users(List<String> userIds) implements Audience {}

    record Subscriptions(List<String> subscriptionIds) implements Audience {}

    record Everyone() implements Audience {}

    /** Subscriptions in the topic, directly or through their user's preferences. */
    record Topic(String topic) implements Audience {}

    /** Subscriptions carrying every one of these tags. */
    record Tags(java.util.Map<String, String> tags) implements Audience {}

    /** Another audience without these users' subscriptions (a post's author is not told about their own post). */
    record Except(Audience base, List<String> userIds) implements Audience {}

    /** Parses {@code audience}: exactly one of userIds, subscriptionIds, topic, tags or all. */
    static Audience parse(Fields audience) {
        List<String> kinds = List.of("userIds", "subscriptionIds", "topic", "tags", "all");
        java.util.Set<String> allowed = new java.util.HashSet<>(kinds);
        allowed.add("exceptUserIds");
        audience.only(allowed);
        if (audience.has("exceptUserIds")) {
            List<String> except = userIds(audience, "exceptUserIds");
            ObjectNode rest = audience.rawObject().deepCopy();
            rest.remove("exceptUserIds");
            Audience base = parse(Fields.of(rest));
            if (base instanceof Subscriptions) {
                throw new ApiException(ErrorCode.UNSUPPORTED_AUDIENCE, "audience.exceptUserIds does not combine with "
                        + "subscriptionIds; list only the subscriptions you want", "audience.exceptUserIds");
            }
            return new Except(base, except);
        }
        int given = 0;
        for (String k : kinds) {
            given += audience.has(k) ? 1 : 0;
        }
        if (given != 1) {
            throw new ApiException(ErrorCode.INVALID_FIELD,
                    "audience needs exactly one of userIds, subscriptionIds, topic, tags or all", "audience");
        }
        if (audience.has("userIds")) {
            return new Users(userIds(audience, "userIds"));
        }
        if (audience.has("subscriptionIds")) {
            List<String> ids = audience.textArray("subscriptionIds", MAX_IDS, 26);
            for (int i = 0; i < ids.size(); i++) {
                if (!Ids.looksValid(ids.get(i))) {
                    throw audience.error("subscriptionIds", "[" + i + "] is not a subscription id");
                }
            }
            return new Subscriptions(ids);
        }
        if (audience.has("topic")) {
            return new Topic(audience.text("topic", 64)); // existence is checked by the caller against the config
        }
        if (audience.has("tags")) {
            java.util.Map<String, String> tags = dev.herald.server.subscription.TopicRules.tags(audience, "tags");
            if (tags.isEmpty()) {
                throw audience.error("tags", "must name at least one tag");
            }
            return new Tags(tags);
        }
        if (!audience.bool("all", false)) {
            throw audience.error("all", "must be true");
        }
        return new Everyone();
    }

    private static List<String> userIds(Fields audience, String name) {
        List<String> ids = audience.textArray(name, MAX_IDS, 128);
        for (int i = 0; i < ids.size(); i++) {
            if (!UserTokens.USER_ID.matcher(ids.get(i)).matches()) {
                throw audience.error(name, "[" + i + "] is not a valid user id");
            }
        }
        return ids;
    }

    default String toJson() {
        return Json.stringify(toMap());
    }

    private java.util.Map<String, Object> toMap() {
        return switch (this) {
            case Users u -> java.util.Map.of("userIds", u.userIds());
            case Subscriptions s -> java.util.Map.of("subscriptionIds", s.subscriptionIds());
            case Everyone e -> java.util.Map.of("all", true);
            case Topic t -> java.util.Map.of("topic", t.topic());
            case Tags t -> java.util.Map.of("tags", t.tags());
            case Except x -> {
                java.util.Map<String, Object> map = new java.util.LinkedHashMap<>(x.base().toMap());
                map.put("exceptUserIds", x.userIds());
                yield map;
            }
        };
    }

    /**
     * Reads back an audience as {@link #toJson()} stored it. Only the shape is read, not re-validated: the request was
     * checked when it was accepted, and a rule tightened since (a shorter id, fewer ids) must not fail a notification
     * that is already fanning out.
     */
    static Audience fromStored(String json) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored audience is not JSON: " + json, e);
        }
        if (!(node instanceof ObjectNode o)) {
            throw new IllegalStateException("stored audience is not an object: " + json);
        }
        return stored(o, json);
    }

    private static Audience stored(ObjectNode o, String json) {
        if (o.has("exceptUserIds")) {
            ObjectNode rest = o.deepCopy();
            rest.remove("exceptUserIds");
            return new Except(stored(rest, json), texts(o.get("exceptUserIds")));
        }
        if (o.has("userIds")) {
            return new Users(texts(o.get("userIds")));
        }
        if (o.has("subscriptionIds")) {
            return new Subscriptions(texts(o.get("subscriptionIds")));
        }
        if (o.hasNonNull("topic")) {
            return new Topic(o.get("topic").asText());
        }
        if (o.get("tags") instanceof ObjectNode tags) {
            java.util.Map<String, String> map = new java.util.LinkedHashMap<>();
            tags.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
            return new Tags(map);
        }
        if (o.path("all").asBoolean(false)) {
            return new Everyone();
        }
        throw new IllegalStateException("stored audience names no one: " + json);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new java.util.ArrayList<>(array.size());
        array.forEach(e -> out.add(e.asText()));
        return List.copyOf(out);
    }
}
