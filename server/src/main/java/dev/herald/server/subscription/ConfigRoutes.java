package dev.herald.server.subscription;

import dev.herald.server.config.Settings;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import java.util.List;
import java.util.Map;

/** {@code GET /api/v1/config}: what the SDK needs before it can subscribe. Public. */
public final class ConfigRoutes implements Router.Feature {
    private final String vapidPublicKey;
    private final Settings settings;

    public ConfigRoutes(String vapidPublicKey, Settings settings) {
        this.vapidPublicKey = vapidPublicKey;
        this.settings = settings;
    }

    record Config(String vapidPublicKey, List<CategoryView> categories, Map<String, Object> features) {}

    record CategoryView(String id, String label, String description, @com.fasterxml.jackson.annotation.JsonProperty("default") boolean defaultOn,
            boolean critical) {}

    @Override
    public void routes(Router router) {
        router.get("/api/v1/config", ctx -> {
            ctx.header("Cache-Control", "public, max-age=300");
            List<CategoryView> categories = settings.categories().stream()
                    .map(c -> new CategoryView(c.id(), c.label(), c.description(), c.defaultOn(), c.critical())).toList();
            Json.write(ctx, 200, new Config(vapidPublicKey, categories,
                    Map.of("anonymousSubscriptions", settings.anonymousSubscriptions(), "topics", settings.topics(),
                            "maxTopicsPerSubscription", settings.maxTopicsPerSubscription(), "maxPerDay", settings.maxPerDay(),
                            "events", true)));
        });
    }
}
