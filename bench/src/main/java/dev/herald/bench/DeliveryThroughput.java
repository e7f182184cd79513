package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.HeraldApp;
import dev.herald.server.auth.Scope;
import dev.herald.server.config.Option;
import dev.herald.server.config.Settings;
import dev.herald.server.config.SettingsLoader;
import dev.herald.server.http.Json;
import dev.herald.server.storage.Database;
import dev.herald.webpush.UserAgentKeys;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Load driver: end-to-end deliveries per second, from {@code POST /api/v1/notifications} to a loopback push
 * service answering 201, for N subscriptions, on SQLite and on PostgreSQL, in one run. Herald runs in this JVM;
 * the push service (the JDK's HTTP server on two threads, the lightest peer measured here) runs in the same JVM,
 * so both share the machine's cores. The run starts with the ceiling of that setup: the same number of bare
 * HTTP/1.1 POSTs from the JDK client to the same push service, with no crypto and no database.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.herald.bench.DeliveryThroughput [subscriptions] [sqlite,postgres] [concurrency]</pre>
 */
public final class DeliveryThroughput {
    private DeliveryThroughput() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        String[] backends = (args.length > 1 ? args[1] : "sqlite,postgres").split(",");
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        AtomicLong pushes = new AtomicLong();
        HttpServer pushService = pushStandIn(pushes::incrementAndGet);
        String origin = "http://127.0.0.1:" + pushService.getAddress().getPort();
        try {
            bareHttp(n, origin, concurrency);
            for (String backend : backends) {
                run(backend.strip(), n, origin, pushes, concurrency);
            }
        } finally {
            pushService.stop(0);
        }
    }

    /** The push-service stand-in: the JDK's HTTP server on two daemon threads, answering 201 at /p/… after {@code onPush}. */
    static HttpServer pushStandIn(Runnable onPush) throws java.io.IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4096);
        server.setExecutor(Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().factory()));
        server.createContext("/p/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                onPush.run();
                ex.sendResponseHeaders(201, -1);
            }
        });
        server.start();
        return server;
    }

    /** Posts a typical notification to every subscription; returns its id. */
    static String sendToAll(HttpClient http, String base, String key) throws Exception {
        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/notifications"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"audience\":{\"all\":true},\"payload\":{\"title\":\"New post from Ada\","
                        + "\"body\":\"Has anyone tried the offline composer yet?\",\"url\":\"/posts/42\"},\"ttl\":3600}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        return Json.MAPPER.readTree(posted.body()).get("id").asText();
    }

    /** {@code GET /api/v1/notifications/{id}}: its status and counts. */
    static JsonNode status(HttpClient http, String base, String key, String id) throws Exception {
        return Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/notifications/" + id))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Polls the notification every {@code pollMillis} until it is completed or {@code limit} has passed; its last status. */
    static JsonNode awaitCompleted(HttpClient http, String base, String key, String id, long pollMillis, java.time.Duration limit)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        JsonNode status;
        do {
            Thread.sleep(pollMillis);
            status = status(http, base, key, id);
        } while (!status.get("status").asText().equals("completed") && System.nanoTime() < deadline);
        return status;
    }

    static final String POSTGRES_URL = System.getenv().getOrDefault("HERALD_BENCH_POSTGRES_URL",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    /** Runs one statement on the bench's PostgreSQL (creating or dropping a run's schema). */
    static void postgres(String sql) throws java.sql.SQLException {
        try (Connection c = DriverManager.getConnection(POSTGRES_URL)) {
            c.createStatement().execute(sql);
        }
    }

    /** The ceiling: bare POSTs of a push-sized body from the JDK client, {@code concurrency} at a time. */
    private static void bareHttp(int n, String origin, int concurrency) throws Exception {
        byte[] body = new byte[300];
        Semaphore inFlight = new Semaphore(concurrency);
        CountDownLatch done = new CountDownLatch(n);
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                inFlight.acquire();
                http.sendAsync(HttpRequest.newBuilder(URI.create(origin + "/p/" + i)).header("TTL", "60")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding())
                        .whenComplete((r, e) -> {
                            inFlight.release();
                            done.countDown();
                        });
            }
            done.await();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%-8s %,d bare HTTP/1.1 POSTs, %d in flight: %.2f s = %,.0f requests/s (the ceiling)%n",
                    "http", n, concurrency, seconds, n / seconds);
        }
    }

    private static void run(String backend, int n, String pushOrigin, AtomicLong pushes, int concurrency) throws Exception {
        Path dir = Files.createTempDirectory("herald-bench");
        SettingsLoader loader = SettingsLoader.empty().with(Option.DATA_DIR, dir.toString()).with(Option.PORT, "0")
                .with(Option.HOST, "127.0.0.1").with(Option.ALLOW_PRIVATE_ENDPOINTS, "true")
                .with(Option.VAPID_SUBJECT, "mailto:bench@herald.example")
                .with(Option.MAX_SUBSCRIPTIONS_PER_IP, "10000000")
                .with(Option.DELIVERY_CONCURRENCY, Integer.toString(concurrency));
        String schema = null;
        if (backend.equals("postgres")) {
            schema = "herald_bench_" + System.nanoTime();
            postgres("CREATE SCHEMA " + schema);
            loader.with(Option.DATABASE_URL, POSTGRES_URL + "&currentSchema=" + schema);
        }
        Settings settings = loader.build();
        seed(settings, n, pushOrigin);
        long before = pushes.get();
        try (HeraldApp app = HeraldApp.start(settings)) {
            String key = app.apiKeys().create("bench", EnumSet.of(Scope.SEND)).key();
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + app.port();
            long start = System.nanoTime();
            String id = sendToAll(http, base, key);
            long fannedOut = 0;
            JsonNode status;
            while (true) {
                status = status(http, base, key, id);
                if (fannedOut == 0 && status.at("/counts/targeted").asInt() == n) {
                    fannedOut = System.nanoTime();
                }
                if (status.get("status").asText().equals("completed")) {
                    break;
                }
                Thread.sleep(50);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int sent = status.at("/counts/sent").asInt();
            System.out.printf("%-8s %,d subscriptions: %,d sent in %.2f s = %,.0f deliveries/s (fan-out done after %.2f s; "
                            + "push service saw %,d requests)%n", backend, n, sent, seconds, sent / seconds,
                    (fannedOut - start) / 1e9, pushes.get() - before);
        } finally {
            if (schema != null) {
                postgres("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    /** {@code n} subscriptions at {@code origin}/p/{i}, all with the same keys, in one transaction. */
    static void seed(Settings settings, int n, String origin) {
        UserAgentKeys browser = UserAgentKeys.generate();
        try (Database db = Database.open(settings)) {
            db.jdbi().useTransaction(h -> {
                PreparedBatch batch = h.prepareBatch("INSERT INTO subscriptions (id, user_id, endpoint, origin, p256dh, auth, "
                        + "encoding, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'aes128gcm', 0, 0)");
                for (int i = 0; i < n; i++) {
                    batch.add(String.format("01BENCH%019d", i), "user" + i, origin + "/p/" + i, origin,
                            browser.p256dh(), browser.authBase64Url());
                }
                batch.execute();
            });
        }
    }
}
