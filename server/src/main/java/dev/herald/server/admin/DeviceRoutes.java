package dev.herald.server.admin;

import dev.herald.server.common.Ids;
import dev.herald.server.common.Times;
import dev.herald.server.delivery.DeliveryReads;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import dev.herald.server.subscription.Subscription;
import dev.herald.server.subscription.SubscriptionStore;
import io.javalin.http.Context;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * The console's devices (push subscriptions): search by user, push service, topic, tag or endpoint, paged by id
 * over indexed columns; one device's timeline (subscribed, each delivery with the push service's answer, what its
 * service worker reported, its outbox's replays); remove one.
 */
final class DeviceRoutes implements Router.Feature {
    static final int PAGE = 50;
    private static final int TIMELINE_ROWS = 100;

    private final AdminAuth adminAuth;
    private final Jdbi jdbi;
    private final SubscriptionStore subscriptions;
    private final DeliveryReads deliveries;
    private final Supplier<URI> publicUrl;
    private final java.time.Clock clock;

    DeviceRoutes(AdminAuth adminAuth, Jdbi jdbi, SubscriptionStore subscriptions, DeliveryReads deliveries, Supplier<URI> publicUrl,
            java.time.Clock clock) {
        this.clock = clock;
        this.adminAuth = adminAuth;
        this.jdbi = jdbi;
        this.subscriptions = subscriptions;
        this.deliveries = deliveries;
        this.publicUrl = publicUrl;
    }

    @Override
    public void routes(Router router) {
        router.get("/api/v1/admin/devices", ctx -> {
            adminAuth.require(ctx);
            Json.write(ctx, 200, search(ctx));
        });
        router.get("/api/v1/admin/devices/{id}", ctx -> {
            adminAuth.require(ctx);
            Subscription s = find(ctx.pathParam("id"));
            Map<String, Object> body = summary(s.id(), s.userId(), s.origin(), s.userAgent(), s.createdAt());
            body.putAll(activity(s.id()));
            body.put("endpoint", s.endpoint());
            body.put("encoding", s.encoding());
            body.put("timezone", s.timezone());
            body.put("locale", s.locale());
            body.put("topics", s.topics());
            body.put("tags", s.tags());
            body.put("timeline", timeline(s));
            Json.write(ctx, 200, body);
        });
        router.delete("/api/v1/admin/devices/{id}", ctx -> {
            adminAuth.require(ctx);
            subscriptions.delete(find(ctx.pathParam("id")).id(), "deleted");
            ctx.status(204);
        });
    }

    private Subscription find(String id) {
        return (Ids.looksValid(id) ? subscriptions.find(id) : java.util.Optional.<Subscription>empty())
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "no device " + id));
    }

    private Map<String, Object> search(Context ctx) {
        List<String> where = new ArrayList<>();
        Map<String, Object> binds = new LinkedHashMap<>();
        filter(ctx, "user", "user_id = :user", where, binds);
        filter(ctx, "pushService", "origin = :pushService", where, binds);
        filter(ctx, "endpoint", "endpoint = :endpoint", where, binds);
        filter(ctx, "topic", "id IN (SELECT subscription_id FROM subscription_topics WHERE topic = :topic)", where, binds);
        String tag = ctx.queryParam("tag");
        if (tag != null && !tag.isEmpty()) {
            int eq = tag.indexOf('=');
            if (eq <= 0) {
                throw new ApiException(ErrorCode.INVALID_PARAMETER, "tag must be name=value");
            }
            where.add("id IN (SELECT subscription_id FROM subscription_tags WHERE name = :tagName AND value = :tagValue)");
            binds.put("tagName", tag.substring(0, eq));
            binds.put("tagValue", tag.substring(eq + 1));
        }
        String stale = ctx.queryParam("stale");
        if (stale != null && !stale.isEmpty()) {
            // No successful delivery (and no re-subscribe) for this many days: what subscription-expire-after-days deletes.
            if (!stale.matches("[0-9]{1,4}")) {
                throw new ApiException(ErrorCode.INVALID_PARAMETER, "stale must be a number of days (0-9999)", "stale");
            }
            where.add("(last_success_at IS NULL OR last_success_at < :staleBefore) AND updated_at < :staleBefore");
            binds.put("staleBefore", clock.millis() - java.time.Duration.ofDays(Integer.parseInt(stale)).toMillis());
        }
        String after = ctx.queryParam("after");
        if (after != null) {
            if (!Ids.looksValid(after)) {
                throw new ApiException(ErrorCode.INVALID_PARAMETER, "after must be a device id");
            }
            where.add("id > :after");
            binds.put("after", after);
        }
        String sql = "SELECT id, user_id, origin, user_agent, created_at, last_success_at, last_engaged_at FROM subscriptions"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where)) + " ORDER BY id LIMIT :limit";
        List<Map<String, Object>> rows = jdbi.withHandle(h -> {
            Query q = h.createQuery(sql).bind("limit", PAGE + 1);
            binds.forEach(q::bind);
            return q.map((rs, c) -> {
                Map<String, Object> row = summary(rs.getString("id"), rs.getString("user_id"), rs.getString("origin"),
                        rs.getString("user_agent"), rs.getLong("created_at"));
                row.put("lastSuccessAt", Times.rfc3339OrNull(dev.herald.server.common.Rows.nullableLong(rs, "last_success_at")));
                row.put("lastEngagedAt", Times.rfc3339OrNull(dev.herald.server.common.Rows.nullableLong(rs, "last_engaged_at")));
                return row;
            }).list();
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", rows.subList(0, Math.min(PAGE, rows.size())));
        body.put("next", rows.size() > PAGE ? rows.get(PAGE - 1).get("id") : null);
        return body;
    }

    /** The device's last successful delivery and last engagement (each accurate to a day). */
    private Map<String, Object> activity(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT last_success_at, last_engaged_at FROM subscriptions WHERE id = ?")
                .bind(0, id).map((rs, c) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("lastSuccessAt", Times.rfc3339OrNull(dev.herald.server.common.Rows.nullableLong(rs, "last_success_at")));
                    m.put("lastEngagedAt", Times.rfc3339OrNull(dev.herald.server.common.Rows.nullableLong(rs, "last_engaged_at")));
                    return m;
                }).findOne().orElse(new LinkedHashMap<>()));
    }

    private static void filter(Context ctx, String param, String clause, List<String> where, Map<String, Object> binds) {
        String value = ctx.queryParam(param);
        if (value != null && !value.isEmpty()) {
            if (value.length() > 2048) {
                throw new ApiException(ErrorCode.INVALID_PARAMETER, param + " is too long");
            }
            where.add(clause);
            binds.put(param, value);
        }
    }

    private Map<String, Object> summary(String id, String userId, String origin, String userAgent, long createdAt) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("userId", userId);
        row.put("pushService", PushServices.name(origin, publicUrl.get()));
        row.put("origin", origin);
        row.put("browser", PushServices.browser(userAgent));
        row.put("userAgent", userAgent);
        row.put("createdAt", Times.rfc3339(createdAt));
        return row;
    }

    /** Newest first: deliveries (with the push service's status), service-worker events, outbox replays, the subscription. */
    private List<Map<String, Object>> timeline(Subscription s) {
        record Entry(long at, Map<String, Object> fields) {}
        List<Entry> entries = new ArrayList<>();
        for (DeliveryReads.Delivery d : deliveries.forSubscription(s.id(), TIMELINE_ROWS)) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("kind", "delivery");
            f.put("notificationId", d.notificationId());
            f.put("state", d.state().token());
            f.put("attempts", d.attempts());
            f.put("status", d.status());
            f.put("error", d.error());
            entries.add(new Entry(d.updatedAt(), f));
        }
        jdbi.useHandle(h -> h.createQuery("SELECT notification_id, type, action, occurred_at FROM notification_events "
                        + "WHERE subscription_id = ? ORDER BY occurred_at DESC LIMIT ?")
                .bind(0, s.id()).bind(1, TIMELINE_ROWS)
                .map((rs, c) -> {
                    Map<String, Object> f = new LinkedHashMap<>();
                    f.put("kind", rs.getString("type"));
                    f.put("notificationId", rs.getString("notification_id"));
                    if (!rs.getString("action").isEmpty()) {
                        f.put("action", rs.getString("action"));
                    }
                    return new Entry(rs.getLong("occurred_at"), f);
                })
                .forEach(entries::add));
        jdbi.useHandle(h -> h.createQuery("SELECT mutation_id, attempt, outcome, status, method, path, occurred_at FROM outbox_replays "
                        + "WHERE subscription_id = ? ORDER BY occurred_at DESC LIMIT ?")
                .bind(0, s.id()).bind(1, TIMELINE_ROWS)
                .map((rs, c) -> {
                    Map<String, Object> f = new LinkedHashMap<>();
                    f.put("kind", "replay");
                    f.put("mutationId", rs.getString("mutation_id"));
                    f.put("attempt", rs.getInt("attempt"));
                    f.put("outcome", rs.getString("outcome"));
                    int status = rs.getInt("status");
                    f.put("status", rs.wasNull() ? null : status);
                    f.put("method", rs.getString("method"));
                    f.put("path", rs.getString("path"));
                    return new Entry(rs.getLong("occurred_at"), f);
                })
                .forEach(entries::add));
        entries.add(new Entry(s.createdAt(), Map.of("kind", "subscribed"))); // last: the sort is stable, so it stays last on a tie
        return entries.stream().sorted(Comparator.comparingLong(Entry::at).reversed()).map(e -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("at", Times.rfc3339(e.at()));
            out.putAll(e.fields());
            return out;
        }).toList();
    }
}
