package dev.herald.server.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.config.Settings;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a topic name and a tag look like, and which topics exist: shared by subscriptions, preferences and audiences.
 * A name that starts with {@code @} ({@code @admins}, {@code @plan}) is server-owned: only a manage API key sets it,
 * so an audience built on it reaches exactly whom the app backend labelled, never someone who labelled themselves.
 */
public final class TopicRules {
    /** The first character of a server-owned topic or tag name. */
    public static final String SERVER_OWNED = "@";
    private static final int MAX_TAGS = 16;
    private static final Pattern TOPIC = Pattern.compile("(?=.{1,64}$)@?[a-z0-9][a-z0-9_.-]*");
    private static final Pattern TAG_NAME = Pattern.compile("(?=.{1,32}$)@?[a-z0-9][a-z0-9_-]*");

    private final Settings settings;

    public TopicRules(Settings settings) {
        this.settings = settings;
    }

    public int maxPerSubscription() {
        return settings.maxTopicsPerSubscription();
    }

    /** A valid, configured topic name, or a 422 naming {@code path}. */
    public String check(String topic, String path) {
        if (topic == null || !TOPIC.matcher(topic).matches()) {
            throw new ApiException(ErrorCode.INVALID_FIELD, path + " must be 1-64 characters of a-z 0-9 _ . - starting with a "
                    + "letter or digit (or @ then one, for a server-owned topic)", path);
        }
        if (!settings.topics().isEmpty() && !settings.topics().contains(topic)) {
            throw new ApiException(ErrorCode.UNKNOWN_TOPIC, path + ": no topic '" + topic + "' (known: "
                    + String.join(", ", settings.topics()) + ")", path);
        }
        return topic;
    }

    /** {@code body[name]}: distinct checked topics, at most the per-subscription limit. */
    public List<String> list(Fields body, String name) {
        JsonNode value = body.rawObject().get(name);
        if (!(value instanceof ArrayNode array)) {
            throw body.error(name, "must be an array of topic names");
        }
        if (array.size() > maxPerSubscription()) {
            throw new ApiException(ErrorCode.TOPIC_LIMIT, body.path(name) + " has " + array.size() + " topics; at most "
                    + maxPerSubscription() + " are allowed", body.path(name));
        }
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String t = check(array.get(i).isTextual() ? array.get(i).asText() : null, body.path(name) + "[" + i + "]");
            if (!topics.contains(t)) {
                topics.add(t);
            }
        }
        return topics;
    }

    /** {@code body[name]}: an object of at most 16 {@code name: "value"} tags. */
    public static Map<String, String> tags(Fields body, String name) {
        JsonNode value = body.rawObject().get(name);
        if (!(value instanceof ObjectNode object)) {
            throw body.error(name, "must be an object of name: \"value\" pairs");
        }
        if (object.size() > MAX_TAGS) {
            throw body.error(name, "has " + object.size() + " tags; at most " + MAX_TAGS + " are allowed");
        }
        Map<String, String> tags = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = body.path(name) + "." + e.getKey();
            if (!TAG_NAME.matcher(e.getKey()).matches()) {
                throw new ApiException(ErrorCode.INVALID_FIELD, path + ": tag names are 1-32 characters of a-z 0-9 _ - "
                        + "(a leading @ marks a server-owned tag)", path);
            }
            if (!e.getValue().isTextual() || e.getValue().asText().isEmpty() || e.getValue().asText().length() > 64) {
                throw new ApiException(ErrorCode.INVALID_FIELD, path + " must be a string of 1-64 characters", path);
            }
            tags.put(e.getKey(), dev.herald.server.http.Fields.printable(e.getValue().asText(), path, false));
        }
        return tags;
    }

    /** Whether a topic or tag name is server-owned (set only with a manage key). */
    public static boolean serverOwned(String name) {
        return name.startsWith(SERVER_OWNED);
    }

    /** Refuses server-owned names in what a user token asks to set: 403 {@code server-owned} naming {@code path}. */
    public static void requireUserOwned(java.util.Collection<String> names, String path) {
        for (String name : names) {
            if (serverOwned(name)) {
                throw new ApiException(ErrorCode.SERVER_OWNED, path + ": '" + name + "' is server-owned; only a manage API key "
                        + "sets or removes it", path);
            }
        }
    }
}
