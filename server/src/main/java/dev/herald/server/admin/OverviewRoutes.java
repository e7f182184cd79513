package dev.herald.server.admin;

import dev.herald.server.delivery.DeliveryReads;
import dev.herald.server.delivery.DeliveryState;
import dev.herald.server.notification.NotificationStatus;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code GET /api/v1/admin/overview}: devices by push service and browser, the queue, and alerts over the last
 * hour; {@code GET /api/v1/admin/deliveries/series?range=hour|day|week}: deliveries by outcome per time bucket.
 */
final class OverviewRoutes implements Router.Feature {
    /** A range and the bucket that gives it 60-84 points: a minute for the hour, 20 minutes a day, 2 hours a week. */
    enum Range {
        HOUR(Duration.ofHours(1), Duration.ofMinutes(1)), DAY(Duration.ofDays(1), Duration.ofMinutes(20)),
        WEEK(Duration.ofDays(7), Duration.ofHours(2));

        final Duration span;
        final Duration bucket;

        Range(Duration span, Duration bucket) {
            this.span = span;
            this.bucket = bucket;
        }
    }

    /** Gone in an hour that makes an alert: at least this many, and at least {@link #BULK_GONE_SHARE} of devices. */
    static final int BULK_GONE_MIN = 10;
    static final double BULK_GONE_SHARE = 0.05;

    private final AdminAuth adminAuth;
    private final Jdbi jdbi;
    private final DeliveryReads deliveries;
    private final Supplier<URI> publicUrl;
    private final Clock clock;

    OverviewRoutes(AdminAuth adminAuth, Jdbi jdbi, DeliveryReads deliveries, Supplier<URI> publicUrl, Clock clock) {
        this.adminAuth = adminAuth;
        this.jdbi = jdbi;
        this.deliveries = deliveries;
        this.publicUrl = publicUrl;
        this.clock = clock;
    }

    record Count(String name, int count) {}

    record Alert(String kind, String severity, String message, int count) {}

    @Override
    public void routes(Router router) {
        router.get("/api/v1/admin/overview", ctx -> {
            adminAuth.require(ctx);
            long now = clock.millis();
            Map<String, Integer> byService = new TreeMap<>();
            Map<String, Integer> byBrowser = new TreeMap<>();
            jdbi.useHandle(h -> {
                // One grouped scan of the (origin, user_agent) index, no table rows read.
                h.createQuery("SELECT origin, user_agent, COUNT(*) AS n FROM subscriptions GROUP BY origin, user_agent")
                        .map((rs, c) -> {
                            int n = rs.getInt("n");
                            byService.merge(PushServices.name(rs.getString("origin"), publicUrl.get()), n, Integer::sum);
                            byBrowser.merge(PushServices.browser(rs.getString("user_agent")), n, Integer::sum);
                            return n;
                        }).list();
            });
            int devices = byService.values().stream().mapToInt(Integer::intValue).sum();
            int scheduled = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM notifications WHERE status = ? AND send_at > ?")
                    .bind(0, NotificationStatus.FANOUT.token()).bind(1, now).mapTo(Integer.class).one());
            DeliveryReads.Queue queue = deliveries.queue(now);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("devices", devices);
            body.put("byPushService", counts(byService));
            body.put("byBrowser", counts(byBrowser));
            body.put("queue", Map.of("due", queue.due(), "inFlight", queue.inFlight(), "retrying", queue.retrying(),
                    "scheduled", queue.scheduled(), "scheduledNotifications", scheduled));
            body.put("alerts", alerts(now, devices));
            Json.write(ctx, 200, body);
        });
        router.get("/api/v1/admin/deliveries/series", ctx -> {
            adminAuth.require(ctx);
            String name = ctx.queryParam("range") == null ? "hour" : ctx.queryParam("range");
            Range range = switch (name) {
                case "hour" -> Range.HOUR;
                case "day" -> Range.DAY;
                case "week" -> Range.WEEK;
                default -> throw new ApiException(ErrorCode.INVALID_PARAMETER, "range must be hour, day or week");
            };
            Json.write(ctx, 200, series(range, clock.millis()));
        });
    }

    private static List<Count> counts(Map<String, Integer> counts) {
        return counts.entrySet().stream().map(e -> new Count(e.getKey(), e.getValue()))
                .sorted((a, b) -> Integer.compare(b.count(), a.count())).toList();
    }

    /** Bucket start times (epoch seconds, for the chart) and one count array per state, zero-filled. */
    Map<String, Object> series(Range range, long now) {
        long bucket = range.bucket.toMillis();
        long to = (now / bucket + 1) * bucket;
        int n = (int) (range.span.toMillis() / bucket);
        long from = to - n * bucket;
        long[] times = new long[n];
        for (int i = 0; i < n; i++) {
            times[i] = (from + i * bucket) / 1000;
        }
        Map<String, int[]> byState = new TreeMap<>();
        for (DeliveryReads.Bucket b : deliveries.series(from, to, bucket)) {
            byState.computeIfAbsent(b.state().token(), s -> new int[n])[(int) ((b.bucketStart() - from) / bucket)] += b.count();
        }
        return Map.of("range", range.name().toLowerCase(java.util.Locale.ROOT), "bucketSeconds", bucket / 1000,
                "times", times, "states", byState);
    }

    private List<Alert> alerts(long now, int devices) {
        long since = now - Duration.ofHours(1).toMillis();
        List<Alert> alerts = new ArrayList<>();
        Map<String, Integer> vapid = new TreeMap<>();
        Map<String, Integer> failing = new TreeMap<>();
        for (DeliveryReads.Answer a : deliveries.errorAnswers(since)) {
            String service = a.origin() == null ? "a removed device's push service" : PushServices.name(a.origin(), publicUrl.get());
            if (a.status() == 401 || a.status() == 403) {
                vapid.merge(service, a.count(), Integer::sum);
            } else if (a.status() == 429 || a.status() >= 500) {
                failing.merge(service + " (" + a.status() + ")", a.count(), Integer::sum);
            }
        }
        vapid.forEach((service, count) -> alerts.add(new Alert("vapid-rejected", "error", service + " rejected Herald's VAPID "
                + "signature " + count + " times in the last hour; check vapid-subject and that the keys match the subscriptions", count)));
        failing.forEach((service, count) -> alerts.add(new Alert("push-service-errors", "warning", service + " answered "
                + count + " times in the last hour; Herald is retrying with backoff", count)));
        int gone = deliveries.series(since, now + 1, now + 1 - since).stream()
                .filter(b -> b.state() == DeliveryState.GONE).mapToInt(DeliveryReads.Bucket::count).sum();
        if (gone >= BULK_GONE_MIN && gone >= BULK_GONE_SHARE * (devices + gone)) {
            alerts.add(new Alert("bulk-gone", "warning", gone + " devices went gone in the last hour (push services said "
                    + "404/410); a key rotation or a broken service worker can cause this", gone));
        }
        return alerts;
    }
}
