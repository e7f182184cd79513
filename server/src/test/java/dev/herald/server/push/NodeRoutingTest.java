package dev.herald.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.HeraldApp;
import dev.herald.server.config.Option;
import dev.herald.server.config.SettingsLoader;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.webpush.MutableClock;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Several push-service nodes on one PostgreSQL: a message accepted by one node goes straight to the node holding the
 * browser's WebSocket (no polling), a killed node's browsers get every stored message from another, and a notify that
 * never arrives is delivered by the owner's catch-up scan.
 */
class NodeRoutingTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Two nodes' settings on one fresh PostgreSQL schema, sharing their keys (as several nodes must). */
    private static SettingsLoader node(Backend.TestDatabases databases, String id, Path shared) throws Exception {
        return Backend.POSTGRES.database(Files.createTempDirectory("node-" + id), databases)
                .with(Option.PORT, "0").with(Option.HOST, "127.0.0.1").with(Option.NODE_ID, id)
                .with(Option.VAPID_SUBJECT, "mailto:tests@herald.example")
                .with(Option.PUBLIC_URL, "http://push.herald.test") // the load balancer
                .with(Option.USER_TOKEN_SECRET, "0123456789abcdef0123456789abcdef")
                .with(Option.RATE_LIMIT_PUSH_MESSAGES, "off");
    }

    /** The same schema for the second node. */
    private static SettingsLoader sameDatabase(SettingsLoader first, String id) throws Exception {
        return first.with(Option.DATA_DIR, Files.createTempDirectory("node-" + id).toString()).with(Option.NODE_ID, id);
    }

    private static int post(int port, String endpoint, byte[] body) throws Exception {
        URI via = URI.create("http://127.0.0.1:" + port + URI.create(endpoint).getPath());
        return HTTP.send(HttpRequest.newBuilder(via).header("TTL", "600").header("Content-Encoding", "aes128gcm")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static byte[] numbered(long n) {
        return ByteBuffer.allocate(16).putLong(n).putLong(System.nanoTime()).array();
    }

    private static long number(JsonNode notification) {
        return ByteBuffer.wrap(Base64.getUrlDecoder().decode(notification.get("data").asText())).getLong();
    }

    @Test
    void aMessageAcceptedByNodeBReachesABrowserOnNodeADirectlyNotByTheCatchUpScan() throws Exception {
        try (Backend.TestDatabases databases = new Backend.TestDatabases()) {
            SettingsLoader settings = node(databases, "node-a", null);
            try (HeraldApp a = HeraldApp.start(settings.build());
                    HeraldApp b = HeraldApp.start(sameDatabase(settings, "node-b").build());
                    UserAgentClient ua = new UserAgentClient(a.port())) {
                ua.hello(null);
                String endpoint = ua.register(UUID.randomUUID().toString(), null).get("pushEndpoint").asText();
                int warmUp = 30;
                int measured = 200;
                List<Long> latencies = new ArrayList<>();
                List<Long> afterAccepted = new ArrayList<>(); // from B's 201 (the message is stored) to A's frame
                for (int i = 0; i < warmUp + measured; i++) {
                    long start = System.nanoTime();
                    assertThat(post(b.port(), endpoint, numbered(i))).isEqualTo(201);
                    long accepted = System.nanoTime();
                    JsonNode n = ua.next();
                    long arrived = System.nanoTime();
                    assertThat(number(n)).isEqualTo(i);
                    ua.ack(n);
                    if (i >= warmUp) {
                        latencies.add(arrived - start);
                        afterAccepted.add(arrived - accepted);
                    }
                }
                latencies.sort(Long::compare);
                afterAccepted.sort(Long::compare);
                double p50 = afterAccepted.get(measured / 2) / 1e6;
                // POST -> frame also holds B's durable commit (a WAL flush), which routing does not change
                System.out.printf("node B's 201 -> frame from node A: p50 %.2f ms, p99 %.2f ms; POST -> frame: p50 %.2f ms, "
                        + "p99 %.2f ms (%d messages, one at a time)%n", p50, afterAccepted.get(measured * 99 / 100) / 1e6,
                        latencies.get(measured / 2) / 1e6, latencies.get(measured * 99 / 100) / 1e6, measured);
                // The latency is printed, not held to 10 ms here: a test shares its machine. The bound only tells a
                // direct notify (milliseconds) from the catch-up scan (seconds); "caught-up" below must stay zero.
                assertThat(p50).as("median time from B accepting a message to A's browser having it, ms").isLessThan(250.0);

                JsonNode readyA = new Api("http://127.0.0.1:" + a.port()).get("/readyz", null).json();
                assertThat(readyA.at("/node/id").asText()).isEqualTo("node-a");
                assertThat(readyA.at("/node/connections").asInt()).isEqualTo(1);
                assertThat(readyA.at("/node/routing/received-sent").asLong()).isEqualTo(warmUp + measured);
                assertThat(readyA.at("/node/peers/node-b").asBoolean()).isTrue();
                JsonNode readyB = new Api("http://127.0.0.1:" + b.port()).get("/readyz", null).json();
                assertThat(readyB.at("/node/routing/notified").asLong()).isEqualTo(warmUp + measured);
                assertThat(readyB.at("/node/routing/caught-up").asLong()).isZero();
                String metrics = new Api("http://127.0.0.1:" + b.port()).get("/metrics", null).text();
                assertThat(metrics).contains("herald_node_info{node=\"node-b\"} 1")
                        .contains("herald_push_routing_total{outcome=\"notified\"} " + (warmUp + measured) + ".0");
            }
        }
    }

    @Test
    void whenTheNodeHoldingTheBrowserIsKilledItReconnectsToAnotherAndGetsEveryStoredMessage() throws Exception {
        try (Backend.TestDatabases databases = new Backend.TestDatabases()) {
            SettingsLoader settings = node(databases, "node-b", null);
            try (HeraldApp b = HeraldApp.start(settings.build())) {
                dev.herald.server.config.Settings s = settings.build();
                int portA = freePort();
                Path dataA = Files.createTempDirectory("node-a");
                Files.copy(s.dataDir().resolve("keys.json"), dataA.resolve("keys.json")); // the same keys on every node
                Process a = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
                        "-cp", System.getProperty("java.class.path"), "dev.herald.server.Main", "push-service",
                        "--port", Integer.toString(portA), "--host", "127.0.0.1", "--data-dir", dataA.toString(),
                        "--database-url", s.databaseUrl(), "--node-id", "node-a", "--public-url", "http://push.herald.test",
                        "--vapid-subject", "mailto:tests@herald.example", "--rate-limit-push-messages", "off"))
                        .redirectErrorStream(true).redirectOutput(dataA.resolve("server.log").toFile()).start();
                try {
                    Api apiA = new Api("http://127.0.0.1:" + portA);
                    Eventually.until("node A ready", Duration.ofSeconds(60), () -> {
                        if (!a.isAlive()) {
                            throw new AssertionError("node A exited with " + a.exitValue());
                        }
                        try {
                            return apiA.get("/readyz", null).status() == 200;
                        } catch (IllegalStateException e) {
                            return false;
                        }
                    }, () -> "not ready");
                    String uaid;
                    String endpoint;
                    Set<Long> delivered = new HashSet<>();
                    try (UserAgentClient ua = new UserAgentClient(portA)) {
                        uaid = ua.hello(null);
                        endpoint = ua.register(UUID.randomUUID().toString(), null).get("pushEndpoint").asText();
                        for (long i = 0; i < 3; i++) { // through B, to A's browser, which does not ack them
                            assertThat(post(b.port(), endpoint, numbered(i))).isEqualTo(201);
                            delivered.add(number(ua.next()));
                        }
                        assertThat(delivered).containsExactlyInAnyOrder(0L, 1L, 2L);
                        a.destroyForcibly(); // SIGKILL: no goodbye to the registry, the browser's socket just drops
                        assertThat(a.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                        assertThat(ua.closedWith()).isNotEmpty();
                    }
                    for (long i = 3; i < 6; i++) { // B still believes A holds the browser: the notify fails, the message stays
                        assertThat(post(b.port(), endpoint, numbered(i))).isEqualTo(201);
                    }
                    try (UserAgentClient ua = new UserAgentClient(b.port())) {
                        assertThat(ua.hello(uaid)).isEqualTo(uaid);
                        Set<Long> after = new HashSet<>();
                        for (JsonNode n : ua.drain()) {
                            after.add(number(n));
                            ua.ack(n);
                        }
                        assertThat(after).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L);
                        assertThat(post(b.port(), endpoint, numbered(6))).isEqualTo(201); // and now it is B's browser
                        assertThat(number(ua.next())).isEqualTo(6L);
                    }
                } finally {
                    a.destroyForcibly();
                }
            }
        }
    }

    @Test
    void aNotifyThatNeverArrivesIsDeliveredByTheOwnersCatchUpScan() throws Exception {
        try (Backend.TestDatabases databases = new Backend.TestDatabases()) {
            int nobody = freePort(); // node A says it is reachable here, but nothing listens: every notify to it fails
            SettingsLoader settings = node(databases, "node-a", null).with(Option.INTERNAL_URL, "http://127.0.0.1:" + nobody);
            MutableClock clockA = new MutableClock(Instant.now());
            try (HeraldApp a = HeraldApp.start(settings.build(), clockA, host -> new InetAddress[] {InetAddress.getLoopbackAddress()});
                    HeraldApp b = HeraldApp.start(sameDatabase(settings, "node-b").with(Option.INTERNAL_URL, "").build());
                    UserAgentClient ua = new UserAgentClient(a.port())) {
                ua.hello(null);
                String endpoint = ua.register(UUID.randomUUID().toString(), null).get("pushEndpoint").asText();
                assertThat(post(b.port(), endpoint, numbered(7))).isEqualTo(201);
                Api apiB = new Api("http://127.0.0.1:" + b.port());
                Eventually.until("B's notify to A failed", Duration.ofSeconds(10),
                        () -> apiB.get("/readyz", null).json().at("/node/routing/notify-failed").asLong() == 1, () -> "no failure yet");
                assertThat(ua.drain()).as("nothing arrived without the notify").isEmpty();

                // past the grace in which the notify is trusted to deliver (A's clock stood still since it started)
                clockA.advance(Duration.between(clockA.instant(), Instant.now().plusSeconds(2)));
                a.pushCatchUp(); // (or A's own scan, which now sees it too)
                JsonNode n = ua.next();
                assertThat(number(n)).isEqualTo(7L);
                assertThat(a.pushCatchUp()).as("sent once per connection").isZero();
                ua.ack(n);
                assertThat(ua.drain()).isEmpty();
                assertThat(new Api("http://127.0.0.1:" + a.port()).get("/readyz", null).json().at("/node/routing/caught-up").asLong())
                        .isEqualTo(1);
            }
        }
    }

    @Test
    void aChannelUnsubscribedOnOneNodeIsGoneOnAnotherThatCachedIt() throws Exception {
        try (Backend.TestDatabases databases = new Backend.TestDatabases()) {
            SettingsLoader settings = node(databases, "node-a", null);
            try (HeraldApp a = HeraldApp.start(settings.build());
                    HeraldApp b = HeraldApp.start(sameDatabase(settings, "node-b").build());
                    UserAgentClient ua = new UserAgentClient(a.port())) {
                ua.hello(null);
                String channel = UUID.randomUUID().toString();
                String endpoint = ua.register(channel, null).get("pushEndpoint").asText();
                assertThat(post(b.port(), endpoint, numbered(1))).isEqualTo(201); // B now has the channel cached
                ua.ack(ua.next());
                ua.send("{\"messageType\":\"unregister\",\"channelID\":\"" + channel + "\"}");
                assertThat(ua.next().get("status").asInt()).isEqualTo(200);
                assertThat(post(b.port(), endpoint, numbered(2))).as("B's cached channel is refused by the database").isEqualTo(410);
                assertThat(post(b.port(), endpoint, numbered(3))).isEqualTo(410);
            }
        }
    }

    @Test
    void theInternalRouteRefusesUnsignedNotifiesAndIsAbsentOnOneNode() throws Exception {
        try (Backend.TestDatabases databases = new Backend.TestDatabases()) {
            try (HeraldApp a = HeraldApp.start(node(databases, "node-a", null).build())) {
                URI route = URI.create("http://127.0.0.1:" + a.port() + InternalRoutes.MESSAGES);
                HttpResponse<String> unsigned = HTTP.send(HttpRequest.newBuilder(route).POST(HttpRequest.BodyPublishers.ofString("[]"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(unsigned.statusCode()).isEqualTo(401);
                assertThat(unsigned.body()).contains("unauthenticated");
                HttpResponse<String> wrongKey = HTTP.send(HttpRequest.newBuilder(route).header(InternalRoutes.SIGNATURE,
                                InternalRoutes.sign(InternalRoutes.key(new byte[32]), "[]".getBytes()))
                        .POST(HttpRequest.BodyPublishers.ofString("[]")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(wrongKey.statusCode()).isEqualTo(401);
            }
        }
        try (dev.herald.server.testing.TestServer one = new dev.herald.server.testing.TestServer(Backend.SQLITE)) {
            assertThat(one.api.post("/internal/v1/push/messages", null, List.of()).status()).isEqualTo(404);
            JsonNode ready = one.api.get("/readyz", null).json();
            assertThat(ready.at("/node/id").asText()).isNotEmpty();
            assertThat(ready.at("/node/connections").asInt()).isZero();
            assertThat(ready.at("/node/deliveriesInFlight").isNumber()).isTrue();
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
