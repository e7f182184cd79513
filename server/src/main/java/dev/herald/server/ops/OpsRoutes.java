package dev.herald.server.ops;

import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import dev.herald.server.storage.Database;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code /healthz} (the process answers), {@code /readyz} (database reachable, keys loaded; and which node answered, with
 * its connections, deliveries in flight and routing counters), {@code /metrics}.
 */
public final class OpsRoutes implements Router.Feature {
    private final Database database;
    private final BooleanSupplier keysLoaded;
    private final PrometheusMeterRegistry metrics;
    private final java.util.function.Supplier<Map<String, Object>> node;

    /** {@code node}: this node's name, connections, deliveries in flight and routing counters, for {@code /readyz}. */
    public OpsRoutes(Database database, BooleanSupplier keysLoaded, PrometheusMeterRegistry metrics,
            java.util.function.Supplier<Map<String, Object>> node) {
        this.node = node;
        this.database = database;
        this.keysLoaded = keysLoaded;
        this.metrics = metrics;
    }

    @Override
    public void routes(Router router) {
        router.get("/healthz", ctx -> Json.write(ctx, 200, Map.of("status", "ok")));
        router.get("/readyz", ctx -> {
            Map<String, Object> checks = new LinkedHashMap<>();
            boolean db = database.reachable();
            boolean keys = keysLoaded.getAsBoolean();
            checks.put("database", db ? "ok" : "unreachable");
            checks.put("keys", keys ? "ok" : "missing");
            Json.write(ctx, db && keys ? 200 : 503, Map.of("status", db && keys ? "ready" : "not-ready", "checks", checks,
                    "node", node.get()));
        });
        router.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    }
}
