package dev.herald.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.HeraldApp;
import dev.herald.server.auth.Scope;
import dev.herald.server.config.Option;
import dev.herald.server.config.SettingsLoader;
import dev.herald.server.subscription.PushHostPolicy;
import dev.herald.webpush.MutableClock;
import dev.herald.webpush.UserAgentKeys;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A real Herald on a random port with a real database (SQLite file or PostgreSQL schema), a fake clock, and
 * loopback push endpoints allowed, plus an API key and helpers to subscribe and send.
 */
public final class TestServer implements AutoCloseable {
    public final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    public HeraldApp app;
    public Api api;
    public final String key;
    private final Backend.TestDatabases databases = new Backend.TestDatabases();
    private final Path dataDir;
    private final java.time.Clock hostClock;
    public final dev.herald.server.config.Settings settings;
    /** Answers of this server's resolver that a test sets (a host that starts resolving elsewhere: DNS rebinding). */
    public final Map<String, InetAddress> dns = new java.util.concurrent.ConcurrentHashMap<>();

    public TestServer(Backend backend) {
        this(backend, s -> s);
    }

    public TestServer(Backend backend, UnaryOperator<SettingsLoader> customize) {
        this(backend, customize, null);
    }

    /**
     * A node on {@code hostClock} (say, minutes off) that reads time as production does: from the database on
     * PostgreSQL. The fake {@link #clock} does not drive it.
     */
    public TestServer(Backend backend, UnaryOperator<SettingsLoader> customize, java.time.Clock hostClock) {
        this.hostClock = hostClock;
        try {
            dataDir = Files.createTempDirectory("herald-test");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        SettingsLoader settings = backend.database(dataDir, databases)
                .with(Option.PORT, "0").with(Option.HOST, "127.0.0.1")
                .with(Option.ALLOW_PRIVATE_ENDPOINTS, "true")
                .with(Option.VAPID_SUBJECT, "mailto:tests@herald.example")
                .with(Option.RETRY_MIN, "10").with(Option.RETRY_MAX, "600")
                .with(Option.DELIVERY_LEASE, "30");
        this.settings = customize.apply(settings).build();
        start();
        key = app.apiKeys().create("tests", EnumSet.of(Scope.SEND, Scope.MANAGE)).key();
    }

    private void start() {
        PushHostPolicy.Resolver resolver = host -> dns.containsKey(host) ? new InetAddress[] {dns.get(host)}
                        : host.equals("127.0.0.1") || host.equals("localhost") || host.endsWith(".test")
                        ? new InetAddress[] {InetAddress.getLoopbackAddress()}
                        : new InetAddress[] {InetAddress.getByAddress(host, new byte[] {(byte) 142, (byte) 250, 1, 1})};
        app = hostClock == null ? HeraldApp.start(this.settings, clock, resolver) : HeraldApp.startOnHostClock(this.settings, hostClock, resolver);
        api = new Api("http://127.0.0.1:" + app.port());
    }

    /** Stops Herald and starts it again on the same database and clock (the port changes). */
    public void restart() {
        app.close();
        start();
    }

    /** Moves the fake clock to {@code at} (forward only) and nudges the engine. */
    public void advanceTo(Instant at) {
        advance(Duration.between(clock.instant(), at));
    }

    /** Delivery rows of a notification: subscription id → {state, next_at, last_error}. */
    public Map<String, Map<String, Object>> deliveries(String notificationId) {
        Map<String, Map<String, Object>> out = new java.util.TreeMap<>();
        app.database().jdbi().useHandle(h -> h.createQuery("SELECT subscription_id, state, next_at, last_error FROM deliveries "
                        + "WHERE notification_id = ?").bind(0, notificationId)
                .map((rs, ctx) -> {
                    Map<String, Object> row = new java.util.HashMap<>();
                    row.put("state", rs.getString("state"));
                    row.put("next_at", Instant.ofEpochMilli(rs.getLong("next_at")));
                    row.put("last_error", rs.getString("last_error"));
                    return Map.entry(rs.getString("subscription_id"), row);
                })
                .forEach(e -> out.put(e.getKey(), e.getValue())));
        return out;
    }

    public String userToken(String userId) {
        return app.userTokens().mint(userId, Duration.ofHours(1)).token();
    }

    /** Subscribes {@code browser} at {@code endpoint} for {@code userId}; returns the subscription id. */
    public String subscribe(String userId, String endpoint, UserAgentKeys browser) {
        return subscribe(userId, endpoint, browser, Map.of());
    }

    /** The same with more members in the body ({@code topics}, {@code timezone}, {@code tags}). */
    public String subscribe(String userId, String endpoint, UserAgentKeys browser, Map<String, Object> extra) {
        Map<String, Object> body = new java.util.HashMap<>(extra);
        body.put("subscription", Map.of("endpoint", endpoint, "keys", Map.of("p256dh", browser.p256dh(),
                "auth", browser.authBase64Url())));
        Api.Response r = api.post("/api/v1/subscriptions", userToken(userId), body);
        if (r.status() != 201 && r.status() != 200) {
            throw new AssertionError("subscribe failed: " + r);
        }
        return r.json().get("id").asText();
    }

    /** Sends {@code {"title": title}} to {@code audience}; returns the notification id. */
    public String send(Map<String, Object> audience, String title, Map<String, Object> extra) {
        Map<String, Object> body = new java.util.HashMap<>(extra);
        body.put("audience", audience);
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = new java.util.HashMap<>((Map<String, Object>) extra.getOrDefault("payload", Map.of()));
        payload.putIfAbsent("title", title); // extra's "payload" may add actions, a url, …
        body.put("payload", payload);
        Api.Response r = api.post("/api/v1/notifications", key, body);
        if (r.status() != 202) {
            throw new AssertionError("send failed: " + r);
        }
        return r.json().get("id").asText();
    }

    public JsonNode notification(String id) {
        return api.get("/api/v1/notifications/" + id, key).json();
    }

    public int count(String notificationId, String counter) {
        return notification(notificationId).path("counts").path(counter).asInt();
    }

    /** Moves the fake clock and nudges the engine so due retries are claimed now. */
    public void advance(Duration d) {
        clock.advance(d);
        app.wakeDelivery();
    }

    /** Moves the fake clock to {@code at} and runs the periodic housekeeping once. */
    public void runMaintenanceAt(Instant at) {
        advanceTo(at);
        app.runMaintenance();
    }

    @Override
    public void close() {
        app.close();
        databases.close();
    }
}
