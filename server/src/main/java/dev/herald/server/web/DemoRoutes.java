package dev.herald.server.web;

import dev.herald.server.auth.UserTokens;
import dev.herald.server.config.Settings;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import dev.herald.server.ratelimit.Action;
import dev.herald.server.ratelimit.RateLimits;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The demo PWA, "Herald Chat", at {@code /} (only with {@code --demo}), and its sign-in: a display name is
 * enough, which mints a user token for {@code demo:<name>}. A real app authenticates users itself and mints tokens
 * with the user-token secret or {@code POST /api/v1/users/{userId}/tokens}.
 */
public final class DemoRoutes implements Router.Feature {
    private static final List<String> FILES = List.of("index.html", "app.js", "sw.js", "styles.css", "manifest.webmanifest",
            "icons/icon.svg", "icons/icon-192.png", "icons/icon-512.png");

    private final Map<String, StaticAsset> files = new LinkedHashMap<>();
    private final UserTokens tokens;
    private final Settings settings;
    private final RateLimits rateLimits;

    public DemoRoutes(UserTokens tokens, Settings settings, RateLimits rateLimits) {
        this.rateLimits = rateLimits;
        this.tokens = tokens;
        this.settings = settings;
        FILES.forEach(f -> files.put(f, StaticAsset.load("demo/" + f)));
    }

    @Override
    public void routes(Router router) {
        router.get("/", files.get("index.html")::serve);
        for (Map.Entry<String, StaticAsset> e : files.entrySet()) {
            router.get("/" + e.getKey(), ctx -> {
                if (e.getKey().equals("sw.js")) {
                    ctx.header("Service-Worker-Allowed", "/");
                }
                e.getValue().serve(ctx);
            });
        }
        router.post("/demo/api/sign-in", ctx -> {
            rateLimits.check(Action.SIGN_IN, ctx, new dev.herald.server.auth.Caller.Anonymous());
            Fields body = Fields.of(Json.readObject(ctx, 1024)).only(Set.of("name"));
            String name = body.text("name", 40).strip();
            String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
            if (slug.isEmpty()) {
                throw body.error("name", "needs at least one letter or digit");
            }
            String userId = "demo:" + slug;
            UserTokens.Minted minted = tokens.mint(userId, Duration.ofHours(12).compareTo(settings.userTokenTtl()) > 0
                    ? settings.userTokenTtl() : Duration.ofHours(12));
            Json.write(ctx, 200, Map.of("userId", userId, "name", name, "token", minted.token(),
                    "expiresAt", java.time.Instant.ofEpochMilli(minted.expiresAt()).toString()));
        });
    }
}
