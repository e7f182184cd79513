package dev.herald.server.webhook;

import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Scope;
import dev.herald.server.common.Ids;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST/GET /api/v1/webhooks}, {@code GET/DELETE /api/v1/webhooks/{id}} (manage key). The endpoint's secret is
 * in the creation's answer only; Herald keeps it to sign with, and never shows it again.
 */
final class WebhookRoutes implements Router.Feature {
    static final String PATH = "/api/v1/webhooks";

    private final WebhookStore store;
    private final Webhooks.UrlPolicy policy;
    private final Authenticator auth;
    private final Clock clock;
    private final int maxBodyBytes;
    private final Runnable changed;

    WebhookRoutes(WebhookStore store, Webhooks.UrlPolicy policy, Authenticator auth, Clock clock, int maxBodyBytes, Runnable changed) {
        this.store = store;
        this.policy = policy;
        this.auth = auth;
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
        this.changed = changed;
    }

    @Override
    public void routes(Router router) {
        router.post(PATH, this::create);
        router.get(PATH, ctx -> {
            auth.requireScope(ctx, Scope.MANAGE);
            Json.write(ctx, 200, Map.of("items", store.list()));
        });
        router.get(PATH + "/{id}", ctx -> {
            auth.requireScope(ctx, Scope.MANAGE);
            Json.write(ctx, 200, find(ctx.pathParam("id")));
        });
        router.delete(PATH + "/{id}", ctx -> {
            auth.requireScope(ctx, Scope.MANAGE);
            if (!store.delete(find(ctx.pathParam("id")).id())) {
                throw new ApiException(ErrorCode.NOT_FOUND, "no webhook " + ctx.pathParam("id"));
            }
            changed.run();
            ctx.status(204);
        });
    }

    private WebhookStore.View find(String id) {
        return (Ids.looksValid(id.startsWith("wh_") ? id.substring(3) : "") ? store.find(id) : java.util.Optional.<WebhookStore.View>empty())
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "no webhook " + id));
    }

    private void create(Context ctx) {
        auth.requireScope(ctx, Scope.MANAGE);
        Fields body = Fields.of(Json.readObject(ctx, maxBodyBytes)).only(Set.of("url", "events", "description"));
        String url = policy.check(body.text("url", 2048)).toString();
        List<EventType> events = new ArrayList<>();
        List<String> names = body.textArray("events", EventType.values().length, 64);
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            events.add(EventType.fromWire(name).orElseThrow(() -> new ApiException(ErrorCode.INVALID_FIELD, "events: '" + name
                    + "' is not an event type (" + String.join(", ", java.util.Arrays.stream(EventType.values())
                    .map(EventType::wire).toList()) + ")", "events")));
        }
        String description = body.optionalText("description", 200);
        String id = "wh_" + Ids.next(clock);
        String secret = Signature.newSecret();
        store.create(id, url, events, description, secret, clock.millis());
        changed.run();
        ctx.header("Location", PATH + "/" + id);
        Json.write(ctx, 201, store.find(id).orElseThrow().withSecret(secret));
    }
}
