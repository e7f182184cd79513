package dev.herald.server.notification;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.common.LanguageTags;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.template.ContentTemplate;
import dev.herald.server.template.Rendered;
import dev.herald.server.template.TemplateData;
import dev.herald.server.template.TemplateStore;
import java.net.URI;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Checks and builds what a notification sends, at send time: the default push message, and for localised content
 * or a template the per-locale messages, or (a template filled per user) what each delivery renders from. Every
 * variant is validated here, so bad input is a 422 naming it and never a delivery that fails for all.
 */
final class ContentPlan {
    static final int MAX_LOCALES = 64;

    /**
     * {@code payload}: the default message; {@code stored}: the notifications.content JSON (null: one payload for all);
     * the template's name and version when one was used.
     */
    record Built(byte[] payload, ObjectNode stored, String templateName, Integer templateVersion) {}

    private final TemplateStore templates;

    ContentPlan(TemplateStore templates) {
        this.templates = templates;
    }

    Built build(Handle h, String id, String category, NotificationService.Request r, URI publicUrl) {
        NotificationService.Extras x = r.extras();
        if (x.template() == null) {
            byte[] payload = message(id, category, r.payload(), "payload", null, publicUrl);
            if (x.localized() == null) {
                return new Built(payload, null, null, null);
            }
            ObjectNode messages = Json.MAPPER.createObjectNode();
            for (Map.Entry<String, Fields> e : localized(x.localized()).entrySet()) {
                ObjectNode merged = r.payload().rawObject().deepCopy();
                merged.setAll(e.getValue().rawObject());
                String path = "localized." + e.getKey();
                messages.set(e.getKey(), parse(message(id, category, Fields.at(merged, path), path, e.getKey(), publicUrl)));
            }
            ObjectNode stored = Json.MAPPER.createObjectNode();
            stored.set("messages", messages);
            return new Built(payload, stored, null, null);
        }
        return fromTemplate(h, id, category, x, publicUrl);
    }

    private Built fromTemplate(Handle h, String id, String category, NotificationService.Extras x, URI publicUrl) {
        if (templates == null) {
            throw new ApiException(ErrorCode.UNKNOWN_TEMPLATE, "templates are not available here", "template");
        }
        TemplateStore.Version v = templates.find(h, x.template(), x.templateVersion()).orElseThrow(() -> new ApiException(
                ErrorCode.UNKNOWN_TEMPLATE, "no template '" + x.template() + "'"
                + (x.templateVersion() == null ? "" : " version " + x.templateVersion()), "template"));
        ObjectNode shared = x.data() == null ? Json.MAPPER.createObjectNode() : x.data().rawObject().deepCopy();
        JsonNode byUser = shared.remove("byUser");
        if (shared.has("user")) {
            throw new ApiException(ErrorCode.INVALID_FIELD, "data.user is reserved: {{user.…}} is filled per user from "
                    + "data.byUser and the user's attributes", "data.user");
        }
        if (byUser != null && !byUser.isObject()) {
            throw new ApiException(ErrorCode.INVALID_FIELD, "data.byUser must be an object of user id → data", "data.byUser");
        }
        if (byUser != null) {
            for (Map.Entry<String, JsonNode> e : byUser.properties()) {
                if (!e.getValue().isObject()) {
                    throw new ApiException(ErrorCode.INVALID_FIELD, "data.byUser." + e.getKey() + " must be an object",
                            "data.byUser." + e.getKey());
                }
            }
        }
        Map<String, ContentTemplate> variants = new LinkedHashMap<>();
        variants.put(null, ContentTemplate.parse(v.variant(null)));
        v.localized().keySet().forEach(tag -> variants.put(tag, ContentTemplate.parse(v.variant(tag))));
        boolean perUser = variants.values().stream().anyMatch(t -> t.variables().stream().anyMatch(ContentPlan::perUser));
        Map<String, Object> data = TemplateData.of(shared);
        // Per-user values are not known yet: they render as "" here (a section over one is skipped), so what this
        // finds missing is missing from the shared data, for every reader.
        Map<String, Object> probe = TemplateData.merge(data, Map.of("user", EMPTY_USER));
        Map<String, ObjectNode> rendered = new LinkedHashMap<>();
        for (Map.Entry<String, ContentTemplate> e : variants.entrySet()) {
            String where = e.getKey() == null ? "template payload" : "template variant " + e.getKey();
            switch (e.getValue().render(probe)) {
                case Rendered.Ok<ObjectNode> ok -> rendered.put(e.getKey(), ok.value());
                case Rendered.Missing<ObjectNode> m -> throw new ApiException(ErrorCode.MISSING_VARIABLE, where + " '"
                        + v.name() + "' version " + v.version() + ": " + m.describe() + "; give it in data", "data."
                        + m.variable());
            }
        }
        ObjectNode stored = Json.MAPPER.createObjectNode();
        if (!perUser) {
            ObjectNode messages = stored.putObject("messages");
            byte[] payload = null;
            for (Map.Entry<String, ObjectNode> e : rendered.entrySet()) {
                String path = e.getKey() == null ? "payload" : "localized." + e.getKey();
                byte[] m = message(id, category, Fields.at(e.getValue(), "template." + path), path,
                        e.getKey(), publicUrl);
                if (e.getKey() == null) {
                    payload = m;
                } else {
                    messages.set(e.getKey(), parse(m));
                }
            }
            return new Built(payload, v.localized().isEmpty() ? null : stored, v.name(), v.version());
        }
        ObjectNode template = stored.putObject("template");
        template.set("payload", v.payload());
        ObjectNode loc = template.putObject("localized");
        v.localized().forEach(loc::set);
        stored.set("data", shared);
        stored.set("byUser", byUser == null ? Json.MAPPER.createObjectNode() : byUser);
        return new Built(display(id, category, rendered.get(null), v, publicUrl), stored, v.name(), v.version());
    }

    /** Whether a template variable is filled per user. */
    static boolean perUser(String variable) {
        return variable.equals("user") || variable.startsWith("user.");
    }

    /**
     * What the notification shows where one message stands for all (the console, the actions events may name): the
     * default rendered without per-user values, or when that is not a valid message (a title that is only
     * {@code {{user.name}}}), the template's name.
     */
    private static byte[] display(String id, String category, ObjectNode rendered, TemplateStore.Version v, URI publicUrl) {
        try {
            return DeclarativeMessage.build(id, category, Fields.of(rendered), publicUrl);
        } catch (ApiException e) {
            ObjectNode minimal = Json.MAPPER.createObjectNode().put("title", v.name());
            if (rendered.has("actions")) {
                minimal.set("actions", rendered.get("actions"));
            }
            try {
                return DeclarativeMessage.build(id, category, Fields.of(minimal), publicUrl);
            } catch (ApiException again) {
                return DeclarativeMessage.build(id, category, Fields.of(Json.MAPPER.createObjectNode().put("title", v.name())),
                        publicUrl);
            }
        }
    }

    /** The push message for {@code payload}; a too-large one is refused naming {@code variant}. */
    static byte[] message(String id, String category, Fields payload, String variant, String lang, URI publicUrl) {
        if (lang != null && !payload.has("lang")) {
            payload.rawObject().put("lang", lang);
        }
        try {
            return DeclarativeMessage.build(id, category, payload, publicUrl);
        } catch (ApiException e) {
            if (e.code() == ErrorCode.PAYLOAD_TOO_LARGE) {
                throw new ApiException(e.code(), variant + ": " + e.getMessage(), variant);
            }
            throw e;
        }
    }

    /** {@code localized}'s variants by canonical tag; an unknown or malformed tag is refused. */
    private static Map<String, Fields> localized(Fields localized) {
        if (localized.rawObject().size() > MAX_LOCALES) {
            throw new ApiException(ErrorCode.INVALID_FIELD, "localized has more than " + MAX_LOCALES + " locales", "localized");
        }
        Map<String, Fields> out = new LinkedHashMap<>();
        for (String key : iterable(localized.rawObject())) {
            String path = localized.path(key);
            String tag = LanguageTags.canonical(key).orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_LOCALE,
                    path + ": '" + key + "' is not a known BCP 47 language tag (like de, pt-BR)", path));
            if (out.containsKey(tag)) {
                throw localized.error(key, "is the same locale as another key (" + tag + ")");
            }
            out.put(tag, localized.object(key));
        }
        return out;
    }

    private static java.util.List<String> iterable(ObjectNode o) {
        java.util.List<String> names = new java.util.ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static ObjectNode parse(byte[] json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Answers every name with "": per-user values at send time. */
    private static final Map<String, Object> EMPTY_USER = new AbstractMap<>() {
        @Override
        public boolean containsKey(Object key) {
            return true;
        }

        @Override
        public Object get(Object key) {
            return "";
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return Set.of();
        }
    };
}
