package dev.herald.bench;

import dev.herald.server.HeraldApp;
import dev.herald.server.auth.Scope;
import dev.herald.server.config.Option;
import dev.herald.server.config.Settings;
import dev.herald.server.config.SettingsLoader;
import dev.herald.server.storage.Database;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.jdbi.v3.core.Handle;

/**
 * Load driver: how long each admin API call the console's pages make takes on a large install (default 100,000
 * devices over five push services and six browsers, topics and tags on each, 100,000 deliveries over the last week,
 * 20,000 engagement events), on SQLite and on PostgreSQL. Seeds with set-based multi-row INSERTs, starts Herald in
 * this JVM (on PostgreSQL after VACUUM ANALYZE, as autovacuum would soon do), then calls each route {@code calls} times one after another (after two warm-up calls) and prints p50
 * and p99 in milliseconds, measured at the client over loopback HTTP.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.herald.bench.AdminConsoleLoad [devices] [sqlite,postgres] [calls]</pre>
 */
public final class AdminConsoleLoad {
    private AdminConsoleLoad() {}

    private static final String[] ORIGINS = {"https://fcm.googleapis.com", "https://updates.push.services.mozilla.com",
            "https://web.push.apple.com", "https://wns2-par02p.notify.windows.com", "https://push.example.net"};
    private static final String[] AGENTS = {
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36",
            "Mozilla/5.0 (X11; Linux x86_64; rv:%d.0) Gecko/20100101 Firefox/%<d.0",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/%d.0 Safari/605.1.15",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36 Edg/%<d.0.0.0",
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/%d.0 Chrome/120.0.0.0 Mobile Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36 OPR/%<d.0.0.0"};
    private static final String[] STATES = {"sent", "sent", "sent", "sent", "sent", "sent", "failed", "gone", "expired", "queued"};
    private static final int ROWS_PER_INSERT = 500;
    private static final long WEEK = 7 * 24 * 3600_000L;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        String[] backends = (args.length > 1 ? args[1] : "sqlite,postgres").split(",");
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        for (String backend : backends) {
            run(backend.strip(), n, calls);
        }
    }

    private static void run(String backend, int n, int calls) throws Exception {
        Path dir = Files.createTempDirectory("herald-bench");
        SettingsLoader loader = SettingsLoader.empty().with(Option.DATA_DIR, dir.toString()).with(Option.PORT, "0")
                .with(Option.HOST, "127.0.0.1").with(Option.VAPID_SUBJECT, "mailto:bench@herald.example");
        String schema = null;
        if (backend.equals("postgres")) {
            schema = "herald_bench_" + System.nanoTime();
            DeliveryThroughput.postgres("CREATE SCHEMA " + schema);
            loader.with(Option.DATABASE_URL, DeliveryThroughput.POSTGRES_URL + "&currentSchema=" + schema);
        }
        Settings settings = loader.build();
        long now = System.currentTimeMillis();
        long seedStart = System.nanoTime();
        seed(settings, n, now);
        if (schema != null) { // what autovacuum does soon after a bulk load: statistics and the visibility map
            for (String table : List.of("subscriptions", "subscription_topics", "subscription_tags", "notifications", "deliveries", "notification_events")) {
                DeliveryThroughput.postgres("VACUUM ANALYZE " + schema + "." + table);
            }
        }
        System.out.printf("%-8s seeded %,d devices and %,d deliveries in %.1f s%n", backend, n, n, (System.nanoTime() - seedStart) / 1e9);
        try (HeraldApp app = HeraldApp.start(settings)) {
            String key = app.apiKeys().create("bench", EnumSet.of(Scope.ADMIN)).key();
            String base = "http://127.0.0.1:" + app.port() + "/api/v1/admin";
            HttpClient http = HttpClient.newHttpClient();
            Map<String, HttpRequest> routes = new LinkedHashMap<>();
            routes.put("GET overview", get(base + "/overview", key));
            routes.put("GET deliveries/series?range=week", get(base + "/deliveries/series?range=week", key));
            routes.put("GET devices (first page)", get(base + "/devices", key));
            routes.put("GET devices?user=", get(base + "/devices?user=user" + (n / 3), key));
            routes.put("GET devices?pushService=", get(base + "/devices?pushService=" + enc(ORIGINS[2]), key));
            routes.put("GET devices?topic=", get(base + "/devices?topic=topic7", key));
            routes.put("GET devices?tag=", get(base + "/devices?tag=" + enc("plan=pro"), key));
            routes.put("GET devices/{id} (timeline)", get(base + "/devices/" + subscriptionId(n / 2), key));
            routes.put("GET notifications", get(base + "/notifications", key));
            routes.put("GET notifications/{id}", get(base + "/notifications/" + notificationId(notifications(n) - 1), key));
            routes.put("POST audience {all}", post(base + "/audience", key, "{\"audience\":{\"all\":true}}"));
            routes.put("POST audience {topic}", post(base + "/audience", key, "{\"audience\":{\"topic\":\"topic7\"}}"));
            routes.put("POST audience {tags}", post(base + "/audience", key, "{\"audience\":{\"tags\":{\"plan\":\"pro\"}}}"));
            routes.put("GET sync", get(base + "/sync", key));
            for (var route : routes.entrySet()) {
                double[] ms = new double[calls];
                for (int i = -2; i < calls; i++) {
                    long start = System.nanoTime();
                    HttpResponse<byte[]> r = http.send(route.getValue(), HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(route.getKey() + ": " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
                    }
                    if (i >= 0) {
                        ms[i] = (System.nanoTime() - start) / 1e6;
                    }
                }
                Arrays.sort(ms);
                System.out.printf("%-8s %-34s p50 %8.1f ms  p99 %8.1f ms%n", backend, route.getKey(),
                        ms[calls / 2], ms[Math.min(calls - 1, (int) Math.ceil(calls * 0.99) - 1)]);
            }
        } finally {
            if (schema != null) {
                DeliveryThroughput.postgres("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static HttpRequest get(String url, String key) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key).build();
    }

    private static HttpRequest post(String url, String key, String json) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    static String subscriptionId(int i) {
        return String.format("01BENCH%019d", i);
    }

    static String notificationId(int i) {
        return String.format("01BENCHN%018d", i);
    }

    /** One notification per 100 devices, each delivered to 100 of them. */
    static int notifications(int n) {
        return Math.max(1, n / 100);
    }

    /** The install: devices, their topics and tags, notifications, deliveries and events, in one transaction. */
    static void seed(Settings settings, int n, long now) {
        int notes = notifications(n);
        try (Database db = Database.open(settings)) {
            db.jdbi().useTransaction(h -> {
                insert(h, "subscriptions (id, user_id, endpoint, origin, p256dh, auth, encoding, user_agent, created_at, updated_at)", n, i -> {
                    String origin = ORIGINS[i % ORIGINS.length];
                    String agent = String.format(AGENTS[i % AGENTS.length], 100 + i % 30);
                    long at = now - WEEK + (long) i * WEEK / n;
                    return "(" + q(subscriptionId(i)) + "," + q("user" + i / 2) + "," + q(origin + "/p/" + i) + "," + q(origin)
                            + ",'BKey','auth','aes128gcm'," + q(agent) + "," + at + "," + at + ")";
                });
                insert(h, "subscription_topics (topic, subscription_id)", n, i -> "(" + q("topic" + i % 10) + "," + q(subscriptionId(i)) + ")");
                insert(h, "subscription_tags (subscription_id, name, value)", 2 * n, j -> "(" + q(subscriptionId(j / 2)) + ","
                        + (j % 2 == 0 ? "'plan'," + q(j / 2 % 5 == 0 ? "pro" : "free") : "'lang'," + q("l" + j / 2 % 12)) + ")");
                insert(h, "notifications (id, status, audience, payload, ttl, urgency, send_at, expires_at, created_at)", notes, k -> {
                    long at = now - WEEK + (long) k * WEEK / notes;
                    return "(" + q(notificationId(k)) + ",'done','{\"all\":true}','{\"title\":\"Post " + k + "\",\"body\":\"Hello\"}',3600,'normal',"
                            + at + "," + (at + 3600_000) + "," + at + ")";
                });
                insert(h, "deliveries (notification_id, subscription_id, state, attempts, next_at, last_status, updated_at)", n, d -> {
                    int k = d / 100;
                    long at = now - WEEK + (long) k * WEEK / notes + d % 100 * 1000L;
                    String state = STATES[d % STATES.length];
                    int status = switch (state) { case "sent" -> 201; case "gone" -> 410; case "failed" -> 400; default -> 0; };
                    return "(" + q(notificationId(k % notes)) + "," + q(subscriptionId((int) ((long) d * 7919 % n))) + "," + q(state)
                            + ",1," + at + "," + (status == 0 ? "NULL" : status) + "," + at + ")";
                });
                insert(h, "notification_events (notification_id, subscription_id, type, occurred_at, recorded_at)", n / 5, e -> {
                    int d = e * 5;
                    long at = now - WEEK + (long) (d / 100) * WEEK / notes + 60_000;
                    return "(" + q(notificationId(d / 100 % notes)) + "," + q(subscriptionId((int) ((long) d * 7919 % n))) + ","
                            + (e % 3 == 0 ? "'clicked'" : "'shown'") + "," + at + "," + at + ")";
                });
            });
        }
    }

    /** {@code count} rows into {@code table}, {@value #ROWS_PER_INSERT} per statement. */
    private static void insert(Handle h, String table, int count, IntFunction<String> row) {
        for (int from = 0; from < count; from += ROWS_PER_INSERT) {
            List<String> rows = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + ROWS_PER_INSERT); i++) {
                rows.add(row.apply(i));
            }
            h.execute("INSERT INTO " + table + " VALUES " + String.join(",", rows));
        }
    }

    private static String q(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
