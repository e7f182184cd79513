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

    record Config(String vapidPublicKey, List<Object> categories, Map<String, Object> features) {}

    @Override
    public void routes(Router router) {
        router.get("/api/v1/config", ctx -> {
            ctx.header("Cache-Control", "public, max-age=300");
            Json.write(ctx, 200, new Config(vapidPublicKey, List.of(),
                    Map.of("anonymousSubscriptions", settings.anonymousSubscriptions(), "topics", true,
                            "maxTopicsPerSubscription", SubscriptionRoutes.MAX_TOPICS)));
        });
    }
}
