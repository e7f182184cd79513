package dev.herald.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.common.Ids;
import dev.herald.server.delivery.DeliveryReads;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import dev.herald.server.notification.Audience;
import dev.herald.server.notification.NotificationRoutes;
import dev.herald.server.notification.NotificationStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * The console's notifications: a page of the newest with their funnel, one with its delivery results, compose
 * (the public create route, so the same checks apply), cancel, and how many devices an audience reaches now.
 */
final class NotificationAdminRoutes implements Router.Feature {
    static final int PAGE = 25;
    private static final int RESULT_ROWS = 50;

    private final AdminAuth adminAuth;
    private final Jdbi jdbi;
    private final NotificationRoutes notifications;
    private final NotificationStore store;
    private final DeliveryReads deliveries;
    private final int maxBodyBytes;

    NotificationAdminRoutes(AdminAuth adminAuth, Jdbi jdbi, NotificationRoutes notifications, NotificationStore store,
            DeliveryReads deliveries, int maxBodyBytes) {
        this.adminAuth = adminAuth;
        this.jdbi = jdbi;
        this.notifications = notifications;
        this.store = store;
        this.deliveries = deliveries;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void routes(Router router) {
        router.get("/api/v1/admin/notifications", ctx -> {
            adminAuth.require(ctx);
            String before = ctx.queryParam("before");
            if (before != null && !Ids.looksValid(before)) {
                throw new ApiException(ErrorCode.INVALID_PARAMETER, "before must be a notification id");
            }
            record Row(String id, String payload) {}
            List<Row> rows = jdbi.withHandle(h -> {
                var q = h.createQuery("SELECT id, payload FROM notifications " + (before == null ? "" : "WHERE id < :before ")
                        + "ORDER BY id DESC LIMIT :limit").bind("limit", PAGE + 1);
                if (before != null) {
                    q.bind("before", before);
                }
                return q.map((rs, c) -> new Row(rs.getString("id"), rs.getString("payload"))).list();
            });
            List<Map<String, Object>> items = new ArrayList<>();
            for (Row row : rows.subList(0, Math.min(PAGE, rows.size()))) {
                items.add(item(row.id(), row.payload()));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("items", items);
            body.put("next", rows.size() > PAGE ? rows.get(PAGE - 1).id() : null);
            Json.write(ctx, 200, body);
        });
        router.get("/api/v1/admin/notifications/{id}", ctx -> {
            adminAuth.require(ctx);
            Map<String, Object> body = detail(ctx.pathParam("id"));
            Json.write(ctx, 200, body);
        });
        router.post("/api/v1/admin/notifications", ctx -> {
            adminAuth.require(ctx);
            notifications.create(ctx);
        });
        router.delete("/api/v1/admin/notifications/{id}", ctx -> {
            adminAuth.require(ctx);
            String id = ctx.pathParam("id");
            detail(id); // 404 for an unknown id
            store.cancel(id);
            Json.write(ctx, 200, detail(id));
        });
        router.post("/api/v1/admin/audience", ctx -> {
            adminAuth.require(ctx);
            Fields body = Fields.of(Json.readObject(ctx, maxBodyBytes)).only(Set.of("audience"));
            Audience audience = Audience.parse(body.object("audience"));
            Json.write(ctx, 200, Map.of("devices", deliveries.audienceSize(audience)));
        });
    }

    private Map<String, Object> item(String id, String payload) {
        Map<String, Object> item = new LinkedHashMap<>();
        JsonNode message = parse(payload);
        item.put("title", message.path("notification").path("title").asText(""));
        item.put("notification", notifications.describe(id));
        return item;
    }

    private Map<String, Object> detail(String id) {
        String payload = (Ids.looksValid(id) ? store.find(id) : java.util.Optional.<dev.herald.server.notification.Notification>empty())
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "no notification " + id)).payload();
        Map<String, Object> body = item(id, payload);
        body.put("message", parse(payload).path("notification"));
        body.put("results", deliveries.results(id, RESULT_ROWS));
        return body;
    }

    private static JsonNode parse(String payload) {
        try {
            return Json.MAPPER.readTree(payload);
        } catch (IOException e) {
            throw new IllegalStateException("stored payload is not JSON", e);
        }
    }
}
