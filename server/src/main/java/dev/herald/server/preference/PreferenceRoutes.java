package dev.herald.server.preference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.common.LanguageTags;
import dev.herald.server.common.Zones;
import dev.herald.server.config.Settings;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import dev.herald.server.subscription.TopicRules;
import io.javalin.http.Context;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code GET/PUT /api/v1/me/preferences}. PUT changes the members it names and keeps the others; {@code null}
 * clears quiet hours, the time zone or the personal cap.
 */
public final class PreferenceRoutes implements Router.Feature {
    private static final Pattern HH_MM = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");

    private final PreferenceStore store;
    private final Authenticator auth;
    private final Settings settings;
    private final TopicRules topicRules;

    public PreferenceRoutes(PreferenceStore store, Authenticator auth, Settings settings, TopicRules topicRules) {
        this.store = store;
        this.auth = auth;
        this.settings = settings;
        this.topicRules = topicRules;
    }

    record QuietView(String start, String end, String timezone) {}

    record View(Map<String, Boolean> categories, QuietView quietHours, String timezone, Integer maxPerDay, List<String> topics,
            String locale) {}

    @Override
    public void routes(Router router) {
        router.get("/api/v1/me/preferences", ctx -> Json.write(ctx, 200, view(store.get(auth.requireUser(ctx).userId()))));
        router.put("/api/v1/me/preferences", this::put);
    }

    private void put(Context ctx) {
        String userId = auth.requireUser(ctx).userId();
        Fields body = Fields.of(Json.readObject(ctx, settings.maxBodyBytes()))
                .only(Set.of("categories", "quietHours", "timezone", "maxPerDay", "topics", "locale"));
        Preferences current = store.get(userId);
        Map<String, Boolean> categories = body.has("categories") ? categories(body.object("categories"), current) : current.categories();
        ZoneId zone = body.rawObject().has("timezone") ? Zones.optional(body, "timezone") : current.timezone();
        QuietHours quiet = current.quietHours();
        if (body.rawObject().has("quietHours")) {
            quiet = null;
            if (body.has("quietHours")) {
                Fields q = body.object("quietHours").only(Set.of("start", "end", "timezone"));
                LocalTime start = time(q, "start");
                LocalTime end = time(q, "end");
                if (start.equals(end)) {
                    throw q.error("end", "must differ from start");
                }
                quiet = new QuietHours(start, end);
                ZoneId given = Zones.optional(q, "timezone");
                if (given != null && body.has("timezone") && !given.equals(zone)) {
                    throw q.error("timezone", "differs from timezone; give one");
                }
                zone = given != null ? given : zone;
            }
        }
        Integer max = current.maxPerDay();
        if (body.rawObject().has("maxPerDay")) {
            max = body.has("maxPerDay") ? (int) body.integer("maxPerDay", 1, 10_000) : null;
        }
        List<String> topics = body.has("topics") ? topicRules.list(body, "topics") : current.topics();
        TopicRules.requireUserOwned(topics, "topics");
        String locale = current.locale();
        if (body.rawObject().has("locale")) {
            locale = null;
            if (body.has("locale")) {
                String given = body.text("locale", 35);
                locale = LanguageTags.canonical(given).orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_LOCALE,
                        "locale: '" + given + "' is not a known BCP 47 language tag (like de, pt-BR)", "locale"));
            }
        }
        Preferences updated = new Preferences(categories, quiet, zone, max, topics, locale);
        store.put(userId, updated);
        Json.write(ctx, 200, view(updated));
    }

    private Map<String, Boolean> categories(Fields given, Preferences current) {
        Map<String, Boolean> out = new LinkedHashMap<>(current.categories());
        ObjectNode raw = given.rawObject();
        for (Iterator<Map.Entry<String, JsonNode>> it = raw.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = given.path(e.getKey());
            Settings.Category category = settings.category(e.getKey()).orElseThrow(() -> new ApiException(
                    ErrorCode.UNKNOWN_CATEGORY, path + ": no category '" + e.getKey() + "' (known: " + String.join(", ",
                            settings.categories().stream().map(Settings.Category::id).toList()) + ")", path));
            if (!e.getValue().isBoolean()) {
                throw given.error(e.getKey(), "must be true or false");
            }
            if (category.critical() && !e.getValue().asBoolean()) {
                throw new ApiException(ErrorCode.CRITICAL_CATEGORY, path + ": '" + category.label()
                        + "' is critical and cannot be turned off", path);
            }
            out.put(category.id(), e.getValue().asBoolean());
        }
        return out;
    }

    private static LocalTime time(Fields q, String name) {
        String text = q.text(name, 5);
        if (!HH_MM.matcher(text).matches()) {
            throw q.error(name, "must be a 24-hour time HH:MM between 00:00 and 23:59, got '" + text + "'");
        }
        return LocalTime.parse(text);
    }

    private View view(Preferences p) {
        Map<String, Boolean> categories = new LinkedHashMap<>();
        for (Settings.Category c : settings.categories()) {
            categories.put(c.id(), c.critical() || p.categories().getOrDefault(c.id(), c.defaultOn()));
        }
        String zone = p.timezone() == null ? null : p.timezone().getId();
        QuietView quiet = p.quietHours() == null ? null
                : new QuietView(p.quietHours().start().toString(), p.quietHours().end().toString(), zone);
        return new View(categories, quiet, zone, p.maxPerDay(), p.topics(), p.locale());
    }
}
