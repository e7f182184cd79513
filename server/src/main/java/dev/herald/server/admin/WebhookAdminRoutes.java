package dev.herald.server.admin;

import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import dev.herald.server.webhook.WebhookStore;
import java.util.Map;

/** The console's view of the webhook endpoints: each one's health, and why a disabled one was disabled. */
final class WebhookAdminRoutes implements Router.Feature {
    private final AdminAuth adminAuth;
    private final WebhookStore webhooks;

    WebhookAdminRoutes(AdminAuth adminAuth, WebhookStore webhooks) {
        this.adminAuth = adminAuth;
        this.webhooks = webhooks;
    }

    @Override
    public void routes(Router router) {
        router.get("/api/v1/admin/webhooks", ctx -> {
            adminAuth.require(ctx);
            Json.write(ctx, 200, Map.of("items", webhooks.list()));
        });
    }
}
