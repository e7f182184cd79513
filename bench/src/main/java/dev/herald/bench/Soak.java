package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.auth.UserTokens;
import dev.herald.server.http.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Soak: N minutes of mixed traffic at a modest rate against a {@code herald serve} child process (SQLite) with
 * short retention, sampling the child each minute: RSS, heap after a full GC, open files, database size and the
 * row counts retention should keep flat. The browsers are WebSocket clients of Herald's embedded push service;
 * they decrypt each push, acknowledge it and report events with the payload's receipt. Every minute one browser
 * goes away (unsubscribes, disconnects) and a new one comes.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.herald.bench.Soak [minutes=30] [browsers=20] [herald.jar] [heap=256m]</pre>
 */
public final class Soak {
    private static final String SECRET = "soak-user-token-secret-0123456789abcdef";
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private final HttpClient http = HttpClient.newHttpClient();
    private final UserTokens tokens = new UserTokens(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC(), Duration.ofDays(2));
    private final String base;
    private final int port;
    private final String key;
    private final AtomicLong notifications = new AtomicLong();
    private final AtomicLong pushes = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong mutations = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Map<String, Long> versions = new ConcurrentHashMap<>();
    /** Service workers' event reports, a few at a time, as a few tabs would. */
    private final java.util.concurrent.ExecutorService reporters = Executors.newFixedThreadPool(4);

    private Soak(int port, String key) {
        this.port = port;
        this.base = "http://127.0.0.1:" + port;
        this.key = key;
    }

    public static void main(String[] args) throws Exception {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int browsers = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path jar = Path.of(args.length > 2 ? args[2] : "server/target/herald.jar").toAbsolutePath();
        String heap = args.length > 3 ? args[3] : "256m";
        Path dir = Files.createTempDirectory("herald-soak");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        String jcmd = Path.of(java).resolveSibling("jcmd").toString();
        List<String> flags = List.of("--data-dir", dir.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--allow-private-endpoints", "true", "--vapid-subject", "mailto:soak@herald.example",
                "--user-token-secret", SECRET, "--notification-retention", "60", "--event-retention", "60",
                "--tombstone-horizon", "60", "--categories", "general:on,posts:on",
                // every simulated browser is 127.0.0.1: limit per user (and endpoint) only, as for real clients
                "--rate-limit-events", "user:3000/1h", "--rate-limit-sync", "user:5000/1h", "--rate-limit-subscribe", "user:60/1h",
                "--rate-limit-push-hello", "off", "--rate-limit-push-register", "agent:300/1h");
        List<String> keyCommand = new ArrayList<>(List.of(java, "-jar", jar.toString(), "keys", "create", "--scope", "send,manage"));
        keyCommand.addAll(flags);
        Process keys = new ProcessBuilder(keyCommand).redirectError(dir.resolve("keys.log").toFile()).start();
        String key = new String(keys.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (keys.waitFor() != 0 || key.isEmpty()) {
            throw new IllegalStateException("herald keys create failed; see " + dir.resolve("keys.log"));
        }
        List<String> serve = new ArrayList<>(List.of(java, "-Xmx" + heap, "-jar", jar.toString(), "serve"));
        serve.addAll(flags);
        Process herald = new ProcessBuilder(serve).redirectErrorStream(true).redirectOutput(dir.resolve("herald.log").toFile()).start();
        System.out.printf("soak: %d minutes, %d browsers, herald pid %d (-Xmx%s), data %s%n", minutes, browsers, herald.pid(), heap, dir);
        try {
            new Soak(port, key).run(minutes, browsers, herald.pid(), jcmd, dir.resolve("herald.db"));
        } finally {
            herald.destroy();
            herald.waitFor(20, TimeUnit.SECONDS);
        }
        try (var lines = Files.lines(dir.resolve("herald.log"))) {
            System.out.printf("herald.log: %d WARN/ERROR lines%n", lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).count());
        }
    }

    private void run(int minutes, int browserCount, long pid, String jcmd, Path db) throws Exception {
        waitUntilUp();
        List<SoakBrowser> browsers = new ArrayList<>();
        for (int i = 0; i < browserCount; i++) {
            browsers.add(browser("user" + i));
        }
        ScheduledExecutorService traffic = Executors.newScheduledThreadPool(2);
        traffic.scheduleAtFixedRate(guard(this::notifyEveryone), 1, 3, TimeUnit.SECONDS);
        traffic.scheduleAtFixedRate(guard(() -> mutate(browsers)), 2, 2, TimeUnit.SECONDS);
        traffic.scheduleAtFixedRate(guard(() -> {
            int slot = ThreadLocalRandom.current().nextInt(browsers.size());
            SoakBrowser old = browsers.get(slot);
            call("DELETE", "/api/v1/subscriptions/" + old.subscriptionId, token(old.userId), null);
            old.close();
            browsers.set(slot, browser(old.userId));
            call("GET", "/api/v1/stats", key, null);
        }), 60, 60, TimeUnit.SECONDS);
        System.out.println("| minute | RSS MB | heap after GC MB | open files | db MB (file+WAL) | notifications | deliveries | events "
                + "| push msgs | sent notif. | pushes recv. | events posted | mutations | errors |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        long start = System.nanoTime();
        for (int minute = 0; minute <= minutes; minute++) {
            long due = start + TimeUnit.MINUTES.toNanos(minute);
            Thread.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000));
            sample(minute, pid, jcmd, db);
        }
        traffic.shutdownNow();
        reporters.shutdownNow();
        browsers.forEach(SoakBrowser::close);
    }

    private void sample(int minute, long pid, String jcmd, Path db) throws Exception {
        long rssKb = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1L);
        long fds;
        try (var list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            fds = list.count();
        }
        exec(jcmd, Long.toString(pid), "GC.run");
        Matcher used = HEAP_USED.matcher(exec(jcmd, Long.toString(pid), "GC.heap_info"));
        double heapMb = used.find() ? Long.parseLong(used.group(1)) / 1024.0 : -1;
        long dbBytes = size(db) + size(Path.of(db + "-wal"));
        long[] rows = new long[4];
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            String[] tables = {"notifications", "deliveries", "notification_events", "push_messages"};
            for (int i = 0; i < tables.length; i++) {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + tables[i])) {
                    rows[i] = rs.getLong(1);
                }
            }
        }
        System.out.printf("| %d | %.0f | %.1f | %d | %.2f | %d | %d | %d | %d | %d | %d | %d | %d | %d |%n", minute, rssKb / 1024.0,
                heapMb, fds, dbBytes / 1048576.0, rows[0], rows[1], rows[2], rows[3], notifications.get(), pushes.get(),
                events.get(), mutations.get(), errors.get());
    }

    private SoakBrowser browser(String userId) throws Exception {
        SoakBrowser b = new SoakBrowser(http, port, userId, this::onPush);
        JsonNode created = call("POST", "/api/v1/subscriptions", token(userId), b.subscriptionJson());
        b.subscriptionId = created.get("id").asText();
        return b;
    }

    /** What a service worker does with a push: report it received and shown, and now and then clicked. */
    private void onPush(JsonNode payload) {
        pushes.incrementAndGet();
        String id = payload.at("/herald/notificationId").asText();
        String receipt = payload.at("/herald/receipt").asText();
        List<String> types = ThreadLocalRandom.current().nextInt(4) == 0 ? List.of("received", "shown", "clicked")
                : List.of("received", "shown");
        reporters.execute(() -> {
            for (String type : types) {
                if (call("POST", "/api/v1/events", null, Json.stringify(Map.of("notificationId", id, "type", type,
                        "receipt", receipt))) != null) {
                    events.incrementAndGet();
                }
            }
        });
    }

    private void notifyEveryone() {
        call("POST", "/api/v1/notifications", key, "{\"audience\":{\"all\":true},\"category\":\"general\",\"payload\":"
                + "{\"title\":\"Soak\",\"body\":\"a modest, steady stream\",\"url\":\"/soak\"},\"ttl\":600}");
        notifications.incrementAndGet();
    }

    /** An edit (or, one time in ten, a delete) of one of 50 shared posts; new posts notify everyone. */
    private void mutate(List<SoakBrowser> browsers) {
        SoakBrowser b = browsers.get(ThreadLocalRandom.current().nextInt(browsers.size()));
        String id = "p" + ThreadLocalRandom.current().nextInt(50);
        boolean delete = ThreadLocalRandom.current().nextInt(10) == 0;
        long base = versions.getOrDefault(id, 0L);
        String mutation = delete ? Json.stringify(Map.of("id", id, "op", "delete", "baseVersion", base))
                : Json.stringify(Map.of("id", id, "op", "upsert", "baseVersion", base,
                        "doc", Map.of("author", b.userId, "text", "edit " + System.nanoTime())));
        JsonNode result = call("POST", "/api/v1/sync/posts/mutations", token(b.userId), "{\"mutations\":[" + mutation + "]}");
        if (result != null) {
            versions.put(id, result.at("/results/0/version").asLong());
            mutations.incrementAndGet();
        }
    }

    private String token(String userId) {
        return tokens.mint(userId, Duration.ofHours(1)).token();
    }

    /** One API call; a connection the server closed while idle is retried once on a new one. */
    private JsonNode call(String method, String path, String bearer, String body) {
        try {
            HttpResponse<String> r;
            try {
                r = http.send(request(method, path, bearer, body), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                r = http.send(request(method, path, bearer, body), HttpResponse.BodyHandlers.ofString());
            }
            if (r.statusCode() >= 400) {
                errors.incrementAndGet();
                System.err.println(method + " " + path + " -> " + r.statusCode() + " " + r.body());
                return null;
            }
            return r.body().isEmpty() ? null : Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            errors.incrementAndGet();
            System.err.println(method + " " + path + ": " + e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private HttpRequest request(String method, String path, String bearer, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return b.build();
    }

    private void waitUntilUp() throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            try {
                if (http.send(request("GET", "/readyz", null, null), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("herald did not become ready within 60 s");
    }

    private static Runnable guard(ThrowingRunnable r) {
        return () -> {
            try {
                r.run();
            } catch (Exception e) {
                System.err.println("soak traffic: " + e);
            }
        };
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static long size(Path p) throws IOException {
        return Files.exists(p) ? Files.size(p) : 0;
    }

    private static String exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
