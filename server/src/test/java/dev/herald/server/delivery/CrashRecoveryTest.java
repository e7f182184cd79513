package dev.herald.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.auth.ApiKeyStore;
import dev.herald.server.auth.Scope;
import dev.herald.server.config.Option;
import dev.herald.server.config.Settings;
import dev.herald.server.storage.Database;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.CountingPushService;
import dev.herald.server.testing.Eventually;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A fan-out to 20,000 subscriptions, the server process killed with SIGKILL part-way, then restarted: every
 * subscription receives the notification, and duplicates stay within what was in flight at the kill. The test
 * checks that the kill really landed part-way (the peer had seen some pushes but not all, and the database still
 * had fan-out or outcomes to write), so a fast machine cannot pass it without crashing anything.
 */
class CrashRecoveryTest {
    private static final int SUBSCRIPTIONS = 20_000;
    private static final int CONCURRENCY = 32;
    /** Small fan-out pages, so the kill lands while fan-out is still inserting deliveries. */
    private static final int FANOUT_PAGE = 250;
    /** Pushes the peer has seen when the process is killed: early, so fan-out and sending are both under way. */
    private static final int KILL_AFTER = 1_000;
    /**
     * The most deliveries that can have reached the peer without their outcome being recorded, from the engine's
     * settings: DeliveryEngine takes one in-flight permit per claimed delivery and returns it when the push service
     * answers; it claims no more while more than delivery-concurrency answered outcomes wait for the recorder. So
     * "claimed but not yet recorded" is inside twice delivery-concurrency, and after a SIGKILL at most that many are
     * claimed again and sent a second time.
     */
    private static final int DUPLICATE_BOUND = 2 * CONCURRENCY;

    /** What the database held the moment the first process died (nothing writes between the kill and the restart). */
    private record AtKill(String status, int sent, int leased, int queued) {}

    @ParameterizedTest
    @EnumSource(Backend.class)
    void sigkillMidFanOutLosesNothing(Backend backend) throws Exception {
        Path dataDir = Files.createTempDirectory("herald-crash");
        CountingPushService push = new CountingPushService(4); // a push service's latency, so the kill lands mid-way
        Map<String, AtomicInteger> received = push.received;
        AtomicInteger total = push.total;
        int port = freePort();
        try (Backend.TestDatabases databases = new Backend.TestDatabases()) {
            Settings settings = backend.database(dataDir, databases)
                    .with(Option.PORT, Integer.toString(port)).with(Option.HOST, "127.0.0.1")
                    .with(Option.ALLOW_PRIVATE_ENDPOINTS, "true").with(Option.VAPID_SUBJECT, "mailto:tests@herald.example")
                    .with(Option.DELIVERY_LEASE, "3").with(Option.DELIVERY_CONCURRENCY, Integer.toString(CONCURRENCY))
                    .with(Option.DELIVERY_BATCH, "100").with(Option.FANOUT_PAGE, Integer.toString(FANOUT_PAGE)).build();
            String key = seed(settings, push);
            List<String> args = serveArgs(settings);
            Api api = new Api("http://127.0.0.1:" + port);

            Process first = start(args, dataDir.resolve("first.log"));
            awaitReady(api, first);
            String id = api.post("/api/v1/notifications", key, Map.of("audience", Map.of("all", true),
                    "payload", Map.of("title", "crash test"), "ttl", 3600)).json().get("id").asText();
            Eventually.until("the peer saw " + KILL_AFTER + " pushes", Duration.ofSeconds(120), () -> total.get() >= KILL_AFTER, total::get);
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful drain
            first.waitFor();
            int atKill = total.get();
            AtKill db = atKill(settings, id);
            assertThat(atKill).as("the kill came before the peer had seen every push").isBetween(KILL_AFTER, SUBSCRIPTIONS - 1);
            assertThat(db.status().equals("fanout") || db.sent() < SUBSCRIPTIONS)
                    .as("at the kill, fan-out was incomplete or deliveries were unrecorded: " + db).isTrue();
            assertThat(db.leased()).as("claimed but unrecorded at the kill: " + db).isBetween(0, DUPLICATE_BOUND);

            Process second = start(args, dataDir.resolve("second.log"));
            try {
                awaitReady(api, second);
                Eventually.until("every subscription reached", Duration.ofSeconds(180),
                        () -> received.size() == SUBSCRIPTIONS, received::size);
                Eventually.until("all recorded as sent", Duration.ofSeconds(60),
                        () -> api.get("/api/v1/notifications/" + id, key).json().at("/counts/sent").asInt() == SUBSCRIPTIONS,
                        () -> api.get("/api/v1/notifications/" + id, key).text());
            } finally {
                second.destroy();
                second.waitFor();
            }
            int duplicates = total.get() - SUBSCRIPTIONS;
            System.out.printf("crash test (%s): %d subscriptions, %d pushes before SIGKILL, at the kill %s; %d duplicates "
                    + "after restart (bound %d)%n", backend, SUBSCRIPTIONS, atKill, db, duplicates, DUPLICATE_BOUND);
            assertThat(received.values()).allSatisfy(n -> assertThat(n.get()).isBetween(1, 2));
            // only a delivery leased (claimed, not recorded) at the kill can be sent twice
            assertThat(duplicates).isBetween(0, db.leased());
        } finally {
            push.close();
        }
    }

    private static AtKill atKill(Settings settings, String notificationId) {
        try (Database db = Database.open(settings)) {
            return db.jdbi().withHandle(h -> {
                String status = h.createQuery("SELECT status FROM notifications WHERE id = ?").bind(0, notificationId)
                        .mapTo(String.class).one();
                Map<String, Integer> states = new java.util.HashMap<>();
                h.createQuery("SELECT state, COUNT(*) AS n FROM deliveries WHERE notification_id = ? GROUP BY state")
                        .bind(0, notificationId).map((rs, ctx) -> Map.entry(rs.getString("state"), rs.getInt("n")))
                        .forEach(e -> states.put(e.getKey(), e.getValue()));
                return new AtKill(status, states.getOrDefault("sent", 0), states.getOrDefault("leased", 0),
                        states.getOrDefault("queued", 0));
            });
        }
    }

    /** Creates the schema, 20,000 subscriptions on the local push service, and an API key. */
    private static String seed(Settings settings, CountingPushService push) {
        try (Database db = Database.open(settings)) {
            push.seed(db.jdbi(), "CRASH", SUBSCRIPTIONS);
            return new ApiKeyStore(db.jdbi(), java.time.Clock.systemUTC()).create("crash", EnumSet.of(Scope.SEND)).key();
        }
    }

    private static List<String> serveArgs(Settings s) {
        List<String> args = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "dev.herald.server.Main", "serve",
                "--port", Integer.toString(s.port()), "--host", s.host(), "--data-dir", s.dataDir().toString(),
                "--allow-private-endpoints", "--vapid-subject", s.vapidSubject(),
                "--delivery-lease", Long.toString(s.deliveryLease().toSeconds()),
                "--delivery-concurrency", Integer.toString(s.deliveryConcurrency()), "--delivery-batch", Integer.toString(s.deliveryBatch()),
                "--fanout-page", Integer.toString(s.fanoutPage())));
        if (!s.databaseUrl().isEmpty()) {
            args.addAll(List.of("--database-url", s.databaseUrl()));
        }
        return args;
    }

    private static Process start(List<String> args, Path log) throws IOException {
        return new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitReady(Api api, Process process) {
        Eventually.until("server ready", Duration.ofSeconds(60), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("server exited with " + process.exitValue());
            }
            try {
                return api.get("/readyz", null).status() == 200;
            } catch (IllegalStateException e) {
                return false;
            }
        }, () -> "not ready");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
