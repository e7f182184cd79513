package dev.herald.server.notification;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.common.LanguageTags;
import dev.herald.server.delivery.DeliveryContent;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.template.ContentTemplate;
import dev.herald.server.template.Rendered;
import dev.herald.server.template.TemplateData;
import dev.herald.server.template.UserAttributes;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Each delivery's content, for the delivery engine: at fan-out, the locale each delivery reads (the user's from
 * preferences, else the device's; the exact tag, then its language, else the default), and at send time the message
 * for that locale, or a template filled for that user (shared data, their attributes and {@code data.byUser}).
 * A template that cannot be filled for a user fails that delivery with the reason; nothing half-rendered is sent.
 * Thread-safe.
 */
public final class NotificationContent implements DeliveryContent {
    private static final int MAX_CACHED = 10_000;

    private final Jdbi jdbi;
    private final Supplier<URI> publicUrl;
    private final Map<String, Spec> specs = new ConcurrentHashMap<>();

    public NotificationContent(Jdbi jdbi, Supplier<URI> publicUrl) {
        this.jdbi = jdbi;
        this.publicUrl = publicUrl;
    }

    /** What a notification's deliveries send. */
    private sealed interface Spec {
        Set<String> tags();

        /** One payload for all. */
        record Plain() implements Spec {
            @Override
            public Set<String> tags() {
                return Set.of();
            }
        }

        /** A message per locale, built at send time. */
        record Localized(Map<String, byte[]> messages) implements Spec {
            @Override
            public Set<String> tags() {
                return messages.keySet();
            }
        }

        /** A template filled per user; {@code variants} by tag, the default under "". */
        record PerUser(String category, Map<String, ContentTemplate> variants, Map<String, Object> shared,
                ObjectNode byUser) implements Spec {
            @Override
            public Set<String> tags() {
                Set<String> tags = new HashSet<>(variants.keySet());
                tags.remove("");
                return tags;
            }
        }
    }

    private Spec spec(Handle h, String notificationId) {
        Spec cached = specs.get(notificationId);
        if (cached != null) {
            return cached;
        }
        if (specs.size() > MAX_CACHED) {
            specs.clear();
        }
        Spec loaded = h.createQuery("SELECT category, content FROM notifications WHERE id = ?").bind(0, notificationId)
                .map((rs, ctx) -> load(rs.getString("category"), rs.getString("content"))).findOne().orElse(new Spec.Plain());
        specs.put(notificationId, loaded);
        return loaded;
    }

    private static Spec load(String category, String content) {
        if (content == null) {
            return new Spec.Plain();
        }
        ObjectNode stored = ContentPlan.parse(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (stored.has("template")) {
            JsonNode t = stored.get("template");
            Map<String, ContentTemplate> variants = new LinkedHashMap<>();
            ObjectNode payload = (ObjectNode) t.get("payload");
            variants.put("", ContentTemplate.parse(payload));
            t.path("localized").properties().forEach(e -> {
                ObjectNode merged = payload.deepCopy();
                merged.setAll((ObjectNode) e.getValue());
                variants.put(e.getKey(), ContentTemplate.parse(merged));
            });
            return new Spec.PerUser(category, variants, TemplateData.of(stored.get("data")), (ObjectNode) stored.get("byUser"));
        }
        Map<String, byte[]> messages = new HashMap<>();
        stored.path("messages").properties().forEach(e -> messages.put(e.getKey(), Json.stringify(e.getValue())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return new Spec.Localized(messages);
    }

    @Override
    public Map<String, String> locales(Handle h, String notificationId, List<String> subscriptionIds) {
        Set<String> tags = spec(h, notificationId).tags();
        if (tags.isEmpty()) {
            return Map.of();
        }
        Map<String, String> chosen = new HashMap<>();
        h.createQuery("SELECT s.id, s.locale, p.locale AS user_locale FROM subscriptions s LEFT JOIN preferences p "
                        + "ON p.user_id = s.user_id WHERE s.id IN (<ids>)")
                .bindList("ids", subscriptionIds)
                .map((rs, ctx) -> {
                    String wanted = rs.getString("user_locale") != null ? rs.getString("user_locale") : rs.getString("locale");
                    return Map.entry(rs.getString("id"), LanguageTags.lookup(wanted, tags).orElse(""));
                })
                .forEach(e -> {
                    if (!e.getValue().isEmpty()) {
                        chosen.put(e.getKey(), e.getValue());
                    }
                });
        return chosen;
    }

    @Override
    public Map<Long, Payload> prepare(List<Ref> batch) {
        return jdbi.withHandle(h -> {
            List<Ref> own = new ArrayList<>();
            Set<String> users = new HashSet<>();
            for (Ref r : batch) {
                Spec spec = spec(h, r.notificationId());
                if (!(spec instanceof Spec.Plain)) {
                    own.add(r);
                }
                if (spec instanceof Spec.PerUser && r.userId() != null) {
                    users.add(r.userId());
                }
            }
            if (own.isEmpty()) {
                return Map.<Long, Payload>of();
            }
            Map<String, ObjectNode> attributes = UserAttributes.forUsers(h, users);
            Map<Long, Payload> out = new HashMap<>();
            for (Ref r : own) {
                Payload p = switch (spec(h, r.notificationId())) {
                    case Spec.Plain plain -> null;
                    case Spec.Localized l -> r.locale() == null || !l.messages().containsKey(r.locale()) ? null
                            : new Payload.Message(l.messages().get(r.locale()));
                    case Spec.PerUser u -> render(r.notificationId(), u, r.locale(), r.userId(),
                            r.userId() == null ? null : attributes.get(r.userId()));
                };
                if (p != null) {
                    out.put(r.deliveryId(), p);
                }
            }
            return out;
        });
    }

    private Payload render(String notificationId, Spec.PerUser spec, String locale, String userId, ObjectNode attributes) {
        Map<String, Object> user = new LinkedHashMap<>();
        if (attributes != null) {
            user.putAll(TemplateData.of(attributes));
        }
        if (userId != null) {
            user.putAll(TemplateData.of(spec.byUser().get(userId)));
            user.put("id", userId);
        }
        String tag = locale != null && spec.variants().containsKey(locale) ? locale : "";
        return switch (spec.variants().get(tag).render(TemplateData.merge(spec.shared(), Map.of("user", user)))) {
            case Rendered.Missing<ObjectNode> m -> new Payload.Unsendable("template: " + m.describe()
                    + (userId == null ? " for an anonymous device" : " for user " + userId));
            case Rendered.Ok<ObjectNode> ok -> {
                try {
                    yield new Payload.Message(ContentPlan.message(notificationId, spec.category(), Fields.of(ok.value()),
                            tag.isEmpty() ? "payload" : "localized." + tag, tag.isEmpty() ? null : tag, publicUrl.get()));
                } catch (ApiException e) {
                    yield new Payload.Unsendable("rendered template: " + e.getMessage());
                }
            }
        };
    }
}
