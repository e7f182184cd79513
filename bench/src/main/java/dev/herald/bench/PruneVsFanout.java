package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.herald.server.HeraldApp;
import dev.herald.server.auth.Scope;
import dev.herald.server.config.Option;
import dev.herald.server.config.Settings;
import dev.herald.server.config.SettingsLoader;
import dev.herald.server.delivery.DeliveryHistory;
import dev.herald.server.engagement.DailyStats;
import dev.herald.server.engagement.EventStore;
import dev.herald.server.retention.Retention;
import dev.herald.server.storage.Database;
import dev.herald.server.storage.Dialect;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pruning against a fan-out: {@code old} finished deliveries (40 days old, in notifications of 100,000) are pruned
 * by {@link Retention} (30-day retention, its real batches and pauses) while a notification to {@code n}
 * subscriptions is sent, compared with the same send without pruning, on SQLite and PostgreSQL. Reports
 * deliveries/s, the prune rate, and how smoothly deliveries progressed: the longest gap between two pushes
 * arriving at the push-service stand-in, and the 99th percentile of those gaps.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.herald.bench.PruneVsFanout [n=100000] [old=1000000] [sqlite,postgres]</pre>
 */
public final class PruneVsFanout {
    private static final long DAY = 86_400_000L;
    private static final int OLD_PER_NOTIFICATION = 100_000;

    private PruneVsFanout() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int old = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        String[] backends = (args.length > 2 ? args[2] : "sqlite,postgres").split(",");
        long[] arrivals = new long[4 * n + 1000];
        AtomicInteger pushes = new AtomicInteger();
        HttpServer pushService = DeliveryThroughput.pushStandIn(() -> {
            int i = pushes.getAndIncrement();
            if (i < arrivals.length) {
                arrivals[i] = System.nanoTime();
            }
        });
        String origin = "http://127.0.0.1:" + pushService.getAddress().getPort();
        System.out.println("| database | run | deliveries/s | vs without | longest stall | p99 gap | pruned | prune rate | prune time |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        try {
            for (String backend : backends) {
                run(backend.strip(), n, old, origin, pushes, arrivals);
            }
        } finally {
            pushService.stop(0);
        }
    }

    private static void run(String backend, int n, int old, String origin, AtomicInteger pushes, long[] arrivals) throws Exception {
        pushes.set(0);
        SettingsLoader loader = SettingsLoader.empty().with(Option.DATA_DIR, Files.createTempDirectory("herald-prune").toString())
                .with(Option.PORT, "0").with(Option.HOST, "127.0.0.1").with(Option.ALLOW_PRIVATE_ENDPOINTS, "true")
                .with(Option.VAPID_SUBJECT, "mailto:bench@herald.example").with(Option.MAX_SUBSCRIPTIONS_PER_IP, "10000000")
                // the server's own maintenance leaves the old rows alone; the bench prunes them when it chooses
                .with(Option.NOTIFICATION_RETENTION, Long.toString(3650L * 86_400));
        String schema = null;
        if (backend.equals("postgres")) {
            schema = "herald_prune_" + System.nanoTime();
            DeliveryThroughput.postgres("CREATE SCHEMA " + schema);
            loader.with(Option.DATABASE_URL, DeliveryThroughput.POSTGRES_URL + "&currentSchema=" + schema);
        }
        Settings settings = loader.build();
        try {
            DeliveryThroughput.seed(settings, n, origin);
            long seedStart = System.nanoTime();
            seedOld(settings, old);
            System.err.printf("%s: seeded %,d old deliveries in %.1f s%n", backend, old, (System.nanoTime() - seedStart) / 1e9);
            try (HeraldApp app = HeraldApp.start(settings)) {
                String key = app.apiKeys().create("bench", EnumSet.of(Scope.SEND)).key();
                Database db = app.database();
                Retention retention = new Retention(db.jdbi(), db.writeLock(), new DeliveryHistory(db.jdbi()),
                        new EventStore(db.jdbi(), Clock.systemUTC(), new DailyStats(db.jdbi())), new DailyStats(db.jdbi()),
                        Clock.systemUTC(), new Retention.Config(Duration.ofDays(30), Duration.ofDays(90), Duration.ofDays(400), 2000,
                        db.dialect() == Dialect.SQLITE));
                send(app, key, n, pushes, arrivals, backend, "warm-up (JIT, caches), not compared", 0);
                double before = send(app, key, n, pushes, arrivals, backend, "without pruning", 0);
                long[] pruned = new long[2];
                Thread pruner = Thread.ofPlatform().start(() -> {
                    long start = System.nanoTime();
                    pruned[0] = retention.run();
                    pruned[1] = System.nanoTime() - start;
                });
                double during = send(app, key, n, pushes, arrivals, backend, "while pruning", before);
                boolean overlapped = pruner.isAlive();
                pruner.join();
                double after = send(app, key, n, pushes, arrivals, backend, "without pruning, again", before);
                long left = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM deliveries").mapTo(Long.class).one());
                System.out.printf("| %s | pruning (%s the send) | %.2f × the mean without | | | | %,d rows | %,.0f rows/s | %.1f s |%n",
                        backend, overlapped ? "outlasted" : "ended before the end of", during / ((before + after) / 2), pruned[0],
                        pruned[0] / (pruned[1] / 1e9), pruned[1] / 1e9);
                System.err.printf("%s: %,d deliveries left (the sends)%n", backend, left);
            }
        } finally {
            if (schema != null) {
                DeliveryThroughput.postgres("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    /** {@code old} sent deliveries in notifications of 100,000, all settled 40 days ago, with one set-based INSERT each. */
    private static void seedOld(Settings settings, int old) {
        long then = System.currentTimeMillis() - 40 * DAY;
        try (Database db = Database.open(settings)) {
            for (int k = 0; k * OLD_PER_NOTIFICATION < old; k++) {
                String id = String.format("01OLD%021d", k);
                int count = Math.min(OLD_PER_NOTIFICATION, old - k * OLD_PER_NOTIFICATION);
                db.jdbi().useTransaction(h -> {
                    h.createUpdate("INSERT INTO notifications (id, status, audience, category, payload, ttl, urgency, send_at, "
                                    + "expires_at, created_at) VALUES (?, 'active', '{\"all\":true}', 'general', '{}', 60, 'normal', ?, ?, ?)")
                            .bind(0, id).bind(1, then).bind(2, then + 60_000).bind(3, then).execute();
                    h.createUpdate("WITH RECURSIVE seq(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM seq WHERE x < ?) "
                                    + "INSERT INTO deliveries (notification_id, subscription_id, state, attempts, next_at, updated_at) "
                                    + "SELECT ?, 'old' || x, 'sent', 1, ?, ? FROM seq")
                            .bind(0, count - 1).bind(1, id).bind(2, then).bind(3, then).execute();
                });
            }
        }
    }

    /** Sends to everyone and prints one row; returns deliveries/s. */
    private static double send(HeraldApp app, String key, int n, AtomicInteger pushes, long[] arrivals, String backend, String label,
            double baseline) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + app.port();
        int first = pushes.get();
        long start = System.nanoTime();
        String id = DeliveryThroughput.sendToAll(http, base, key);
        JsonNode status = DeliveryThroughput.awaitCompleted(http, base, key, id, 100, java.time.Duration.ofHours(1));
        double seconds = (System.nanoTime() - start) / 1e9;
        int sent = status.at("/counts/sent").asInt();
        int last = Math.min(first + sent, Math.min(pushes.get(), arrivals.length));
        long[] gaps = new long[Math.max(1, last - first - 1)];
        long longest = arrivals[first] - start; // the wait for the first push counts too
        for (int i = first + 1; i < last; i++) {
            gaps[i - first - 1] = arrivals[i] - arrivals[i - 1];
            longest = Math.max(longest, gaps[i - first - 1]);
        }
        Arrays.sort(gaps);
        double rate = sent / seconds;
        System.out.printf("| %s | %s | %,.0f | %s | %.0f ms | %.2f ms | | | |%n", backend, label, rate,
                baseline == 0 ? "1.00" : String.format("%.2f", rate / baseline), longest / 1e6, gaps[(int) (gaps.length * 0.99)] / 1e6);
        return rate;
    }
}
