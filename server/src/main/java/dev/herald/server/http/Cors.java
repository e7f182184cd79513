package dev.herald.server.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;

/**
 * Cross-origin access to {@code /api/} for PWAs served from another origin than Herald (the page SDK and the
 * service worker call it directly). Only the configured origins ({@code cors-origins}), or any with {@code *}.
 * Callers authenticate with explicit bearer tokens, never cookies, so no credentials mode is offered.
 */
public final class Cors {
    private static final String ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key, If-None-Match, Accept";
    private static final String EXPOSE_HEADERS = "Location, ETag, Retry-After, Idempotency-Replayed";
    private static final String METHODS = "GET, POST, PUT, DELETE";

    private final List<String> origins;

    public Cors(List<String> origins) {
        this.origins = List.copyOf(origins);
    }

    public void install(RoutesConfig routes) {
        if (origins.isEmpty()) {
            return;
        }
        routes.before("/api/*", this::headers);
        routes.addHttpHandler(HandlerType.OPTIONS, "/api/*", ctx -> {
            String origin = ctx.header("Origin");
            if (origin == null || ctx.header("Access-Control-Request-Method") == null) {
                // Not a preflight: answered like any request without a handler (ApiServer: Allow for a known path, else 404).
                throw new ApiException(ErrorCode.ROUTE_NOT_FOUND, "no route OPTIONS " + ctx.path());
            }
            if (!allowed(origin)) {
                throw new ApiException(ErrorCode.FORBIDDEN, "origin " + origin + " is not in cors-origins");
            }
            ctx.header("Access-Control-Allow-Methods", METHODS).header("Access-Control-Allow-Headers", ALLOW_HEADERS)
                    .header("Access-Control-Max-Age", "600").status(204);
        });
    }

    private void headers(Context ctx) {
        String origin = ctx.header("Origin");
        ctx.header("Vary", "Origin");
        if (origin != null && allowed(origin)) {
            ctx.header("Access-Control-Allow-Origin", origins.contains("*") ? "*" : origin)
                    .header("Access-Control-Expose-Headers", EXPOSE_HEADERS);
        }
    }

    private boolean allowed(String origin) {
        return origins.contains("*") || origins.contains(origin);
    }
}
