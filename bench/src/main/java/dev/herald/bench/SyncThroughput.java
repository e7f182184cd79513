package dev.herald.bench;

import dev.herald.server.HeraldApp;
import dev.herald.server.config.Option;
import dev.herald.server.config.SettingsLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load driver for the sync API, on SQLite and PostgreSQL in one run: idempotent mutations per second (each a
 * one-mutation batch with its own Idempotency-Key, as replayed outboxes send them, from 32 concurrent clients over
 * HTTP), then change-feed page latency (p50/p99 of 100-item pages at random cursors over 20,000 documents).
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.herald.bench.SyncThroughput [mutations] [sqlite,postgres]</pre>
 */
public final class SyncThroughput {
    private static final int CLIENTS = 32;
    private static final String PG = System.getenv().getOrDefault("HERALD_BENCH_POSTGRES_URL",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

    private SyncThroughput() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        for (String backend : (args.length > 1 ? args[1] : "sqlite,postgres").split(",")) {
            run(backend.strip(), n);
        }
        System.exit(0);
    }

    private static void run(String backend, int n) throws Exception {
        SettingsLoader loader = SettingsLoader.empty().with(Option.DATA_DIR, Files.createTempDirectory("herald-sync").toString())
                .with(Option.PORT, "0").with(Option.HOST, "127.0.0.1").with(Option.VAPID_SUBJECT, "mailto:bench@herald.example")
                .with(Option.SYNC_COLLECTIONS, "posts:shared").with(Option.RATE_LIMIT_SYNC, "off") // one user, flat out
                .with(Option.DATABASE_POOL_SIZE, System.getProperty("pool", "8"));
        String schema = "herald_syncbench_" + System.nanoTime();
        if (backend.equals("postgres")) {
            try (Connection c = DriverManager.getConnection(PG)) {
                c.createStatement().execute("CREATE SCHEMA " + schema);
            }
            loader.with(Option.DATABASE_URL, PG + "&currentSchema=" + schema);
        }
        try (HeraldApp app = HeraldApp.start(loader.build()); ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
            String token = app.userTokens().mint("bench", Duration.ofHours(1)).token();
            String base = "http://127.0.0.1:" + app.port() + "/api/v1/sync/posts";
            HttpClient http = HttpClient.newHttpClient();
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> done = new ArrayList<>();
            long start = System.nanoTime();
            for (int c = 0; c < CLIENTS; c++) {
                done.add(clients.submit(() -> {
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                        String body = "{\"mutations\":[{\"id\":\"p" + i + "\",\"op\":\"upsert\",\"baseVersion\":0,"
                                + "\"doc\":{\"text\":\"post number " + i + " written offline\",\"author\":\"bench\"}}]}";
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/mutations"))
                                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                                .header("Idempotency-Key", "\"" + UUID.randomUUID() + "\"")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200 || !r.body().contains("applied")) {
                            throw new IllegalStateException(r.statusCode() + " " + r.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%-8s %,d idempotent mutations from %d clients in %.2f s = %,.0f mutations/s%n",
                    backend, n, CLIENTS, seconds, n / seconds);

            int pages = 2000;
            long[] micros = new long[pages];
            java.util.Random random = new java.util.Random(42);
            for (int i = 0; i < pages + 200; i++) {
                long since = random.nextInt(Math.max(1, n - 100));
                String cursor = dev.herald.webpush.Base64Url.encode(("v1.posts." + since).getBytes());
                long t = System.nanoTime();
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/changes?limit=100&since=" + cursor))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                long took = (System.nanoTime() - t) / 1000;
                if (r.statusCode() != 200) {
                    throw new IllegalStateException(r.statusCode() + " " + r.body());
                }
                if (i >= 200) {
                    micros[i - 200] = took; // the first 200 warm up
                }
            }
            Arrays.sort(micros);
            System.out.printf("%-8s change feed, 100-item pages at random cursors (%,d pages): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    backend, pages, micros[pages / 2] / 1000.0, micros[pages * 99 / 100] / 1000.0, micros[pages - 1] / 1000.0);
        } finally {
            if (backend.equals("postgres")) {
                try (Connection c = DriverManager.getConnection(PG)) {
                    c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
                }
            }
        }
    }
}
