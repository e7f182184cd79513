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
 * subscription receives the notification, and duplicates stay within what was in flight at the kill.
 */
class CrashRecoveryTest {
    private static final int SUBSCRIPTIONS = 20_000;
    private static final int CONCURRENCY = 32;

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
                    .with(Option.DELIVERY_BATCH, "100").build();
            String key = seed(settings, push);
            List<String> args = serveArgs(settings);
            Api api = new Api("http://127.0.0.1:" + port);

            Process first = start(args, dataDir.resolve("first.log"));
            awaitReady(api, first);
            String id = api.post("/api/v1/notifications", key, Map.of("audience", Map.of("all", true),
                    "payload", Map.of("title", "crash test"), "ttl", 3600)).json().get("id").asText();
            Eventually.until("a quarter delivered", Duration.ofSeconds(120), () -> total.get() >= SUBSCRIPTIONS / 4, total::get);
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful drain
            first.waitFor();
            int atKill = total.get();

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
            System.out.printf("crash test (%s): %d subscriptions, %d pushes before SIGKILL, %d duplicates after restart "
                    + "(in-flight bound %d)%n", backend, SUBSCRIPTIONS, atKill, duplicates, CONCURRENCY);
            assertThat(received.values()).allSatisfy(n -> assertThat(n.get()).isBetween(1, 2));
            assertThat(duplicates).isBetween(0, CONCURRENCY);
        } finally {
            push.close();
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
                "--delivery-concurrency", Integer.toString(s.deliveryConcurrency()), "--delivery-batch", Integer.toString(s.deliveryBatch())));
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
