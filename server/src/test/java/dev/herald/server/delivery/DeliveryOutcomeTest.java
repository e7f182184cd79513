package dev.herald.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each push-service answer leads to the right subscription and notification state, on SQLite and PostgreSQL,
 * with a scriptable push service on loopback and a fake clock for retries.
 */
class DeliveryOutcomeTest {
    private static final Map<String, Object> NO_EXTRA = Map.of();

    /** Answers by the path's second segment: /push/201/x → 201, /push/flaky3/x → 500 three times then 201. */
    private static ScriptedPushService pushService(Map<String, AtomicInteger> calls) throws Exception {
        ScriptedPushService service = new ScriptedPushService();
        service.respond(ex -> {
            String behaviour = ex.getRequestURI().getPath().split("/")[2];
            int n = calls.computeIfAbsent(ex.getRequestURI().getPath(), p -> new AtomicInteger()).incrementAndGet();
            return switch (behaviour) {
                case "flaky3" -> n <= 3 ? new ScriptedPushService.Reply(500, Map.of(), "try later")
                        : new ScriptedPushService.Reply(201, Map.of(), "");
                case "ratelimited" -> n == 1 ? new ScriptedPushService.Reply(429, Map.of("Retry-After", "120"), "slow down")
                        : new ScriptedPushService.Reply(201, Map.of(), "");
                default -> new ScriptedPushService.Reply(Integer.parseInt(behaviour), Map.of(), "status " + behaviour);
            };
        });
        return service;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void createdIsSentAndTheBrowserCanDecryptTheDeclarativeMessage(Backend backend) throws Exception {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        try (ScriptedPushService push = pushService(calls); TestServer server = new TestServer(backend)) {
            UserAgentKeys browser = UserAgentKeys.generate();
            server.subscribe("ada", push.endpoint("/push/201/a").toString(), browser);

            String id = server.send(Map.of("userIds", java.util.List.of("ada")), "Grüße 👋",
                    Map.of("urgency", "high", "collapseKey", "chat-1", "ttl", 600));

            Eventually.until("sent", () -> server.count(id, "sent") == 1);
            assertThat(server.notification(id).get("status").asText()).isEqualTo("completed");
            ScriptedPushService.Received r = push.received.get(0);
            assertThat(r.headers()).containsEntry("Urgency", "high").containsEntry("Topic", "chat-1")
                    .containsEntry("Content-Encoding", "aes128gcm");
            assertThat(Integer.parseInt(r.headers().get("TTL"))).isBetween(599, 600);
            String json = new String(browser.decrypt(r.body()), StandardCharsets.UTF_8);
            assertThat(json).contains("\"web_push\":8030").contains("\"title\":\"Grüße 👋\"")
                    .contains("\"notificationId\":\"" + id + "\"").contains("\"navigate\":\"http://localhost:");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void goneOn404Or410DeletesTheSubscription(Backend backend) throws Exception {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        try (ScriptedPushService push = pushService(calls); TestServer server = new TestServer(backend)) {
            String s404 = server.subscribe("bob", push.endpoint("/push/404/a").toString(), UserAgentKeys.generate());
            String s410 = server.subscribe("bob", push.endpoint("/push/410/b").toString(), UserAgentKeys.generate());

            String id = server.send(Map.of("userIds", java.util.List.of("bob")), "hi", NO_EXTRA);

            Eventually.until("gone", () -> server.count(id, "gone") == 2);
            Api.Response delete404 = server.api.delete("/api/v1/subscriptions/" + s404, server.userToken("bob"));
            Api.Response delete410 = server.api.delete("/api/v1/subscriptions/" + s410, server.userToken("bob"));
            assertThat(delete404.status()).as("subscription deleted by the 404").isEqualTo(404);
            assertThat(delete410.status()).as("subscription deleted by the 410").isEqualTo(404);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void permanentRefusalsFailWithTheirReasonAndKeepTheSubscription(Backend backend) throws Exception {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        try (ScriptedPushService push = pushService(calls); TestServer server = new TestServer(backend)) {
            String keep = null;
            for (String status : new String[] {"413", "400", "401", "403"}) {
                keep = server.subscribe("cy", push.endpoint("/push/" + status + "/x").toString(), UserAgentKeys.generate());
            }

            String id = server.send(Map.of("userIds", java.util.List.of("cy")), "hi", NO_EXTRA);

            Eventually.until("failed", () -> server.count(id, "failed") == 4);
            assertThat(server.notification(id).get("lastError").asText()).containsAnyOf("VAPID credentials refused",
                    "rejected", "payload size");
            assertThat(calls.values()).allSatisfy(c -> assertThat(c.get()).as("never retried").isEqualTo(1));
            assertThat(server.api.delete("/api/v1/subscriptions/" + keep, server.userToken("cy")).status())
                    .as("a permanent failure does not delete the subscription").isEqualTo(204);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void serverErrorsAreRetriedWithBackoffOnTheClockUntilSent(Backend backend) throws Exception {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        try (ScriptedPushService push = pushService(calls); TestServer server = new TestServer(backend)) {
            server.subscribe("dee", push.endpoint("/push/flaky3/x").toString(), UserAgentKeys.generate());
            String id = server.send(Map.of("userIds", java.util.List.of("dee")), "hi", NO_EXTRA);
            AtomicInteger attempts = calls.computeIfAbsent("/push/flaky3/x", p -> new AtomicInteger());

            // retry-min is 10 s: backoff steps 10, 20, 40 s, each jittered into its upper half
            for (int n = 1; n <= 3; n++) {
                int expected = n;
                Eventually.until("attempt " + n, () -> attempts.get() == expected);
                Eventually.until("attempt " + n + " recorded", () -> server.count(id, "queued") == 1
                        && !server.notification(id).path("lastError").isMissingNode());
                long step = 10L << (n - 1);
                server.advance(Duration.ofSeconds(step / 2 - 1));
                assertThat(attempts.get()).as("no retry before half the backoff step").isEqualTo(n);
                server.advance(Duration.ofSeconds(step / 2 + 1));
            }

            Eventually.until("sent after 3 failures", () -> server.count(id, "sent") == 1);
            assertThat(attempts.get()).isEqualTo(4);
            assertThat(push.received).allSatisfy(r -> assertThat(r.path()).isEqualTo("/push/flaky3/x"));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void rateLimitHonoursRetryAfter(Backend backend) throws Exception {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        try (ScriptedPushService push = pushService(calls); TestServer server = new TestServer(backend)) {
            server.subscribe("eve", push.endpoint("/push/ratelimited/x").toString(), UserAgentKeys.generate());
            String id = server.send(Map.of("userIds", java.util.List.of("eve")), "hi", NO_EXTRA);
            Eventually.until("first attempt recorded", () -> server.notification(id).path("lastError").asText().contains("rate limited"));

            server.advance(Duration.ofSeconds(119)); // backoff alone (10 s) would have retried by now
            assertThat(calls.get("/push/ratelimited/x").get()).isEqualTo(1);
            server.advance(Duration.ofSeconds(2));

            Eventually.until("sent after Retry-After", () -> server.count(id, "sent") == 1);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void threeConsecutiveBadRequestsMakeTheSubscriptionGoneAndASuccessResetsTheCount(Backend backend) throws Exception {
        // Apple answers 400 forever to a subscription made with an old key; a success in between starts the count again.
        java.util.Iterator<Integer> answers = java.util.List.of(400, 400, 201, 400, 400, 400).iterator();
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            push.respond(ex -> ex.getRequestURI().getPath().equals("/push/apple/x") // nothing else may take an answer
                    ? new ScriptedPushService.Reply(answers.next(), Map.of(), "{\"reason\":\"BadDeviceToken\"}")
                    : new ScriptedPushService.Reply(404, Map.of(), ""));
            String sub = server.subscribe("hal", push.endpoint("/push/apple/x").toString(), UserAgentKeys.generate());
            String[] expected = {"failed", "failed", "sent", "failed", "failed", "gone"};
            String last = null;
            for (String state : expected) {
                String id = server.send(Map.of("userIds", java.util.List.of("hal")), "hi", NO_EXTRA);
                Eventually.until(state, Duration.ofSeconds(20), () -> server.count(id, state) == 1, () -> server.notification(id).toString());
                last = id;
            }
            assertThat(push.received).filteredOn(r -> r.path().equals("/push/apple/x")).hasSize(6);
            assertThat(server.notification(last).get("lastError").asText())
                    .isEqualTo("rejected (400 BadDeviceToken): {\"reason\":\"BadDeviceToken\"}; 3 consecutive 400s: treated as gone");
            assertThat(server.api.delete("/api/v1/subscriptions/" + sub, server.userToken("hal")).status())
                    .as("the subscription was deleted").isEqualTo(404);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void vapidRefusalsNameThePushServicesReasonInTheOperatorAlert(Backend backend) throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(DeliveryEngine.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> alerts = new ch.qos.logback.core.read.ListAppender<>();
        alerts.start();
        logger.addAppender(alerts);
        try (ScriptedPushService fcm = new ScriptedPushService(); ScriptedPushService apple = new ScriptedPushService();
                TestServer server = new TestServer(backend)) {
            fcm.respond(403, Map.of(), "{\"error\":{\"code\":403,\"message\":\"" + "x".repeat(400) + "\",\"status\":"
                    + "\"PERMISSION_DENIED\",\"details\":[{\"errorCode\":\"VapidPkHashMismatch\"}]}}");
            apple.respond(400, Map.of(), "{\"reason\":\"BadJwtToken\"}");
            String keep = server.subscribe("ida", fcm.endpoint("/fcm/send/x").toString(), UserAgentKeys.generate());
            server.subscribe("ida", apple.endpoint("/3/push/y").toString(), UserAgentKeys.generate());

            String id = server.send(Map.of("userIds", java.util.List.of("ida")), "hi", NO_EXTRA);

            Eventually.until("failed", () -> server.count(id, "failed") == 2);
            java.util.List<String> lines = alerts.list.stream().map(e -> e.getFormattedMessage())
                    .filter(m -> m.startsWith("OPERATOR ALERT")).toList();
            assertThat(lines).anySatisfy(l -> assertThat(l).contains(fcm.endpoint("").toString().replaceAll("/$", ""))
                    .contains("(403 VapidPkHashMismatch): the browser subscribed with another applicationServerKey"));
            assertThat(lines).anySatisfy(l -> assertThat(l).contains("(400 BadJwtToken): the push service could not verify our VAPID JWT"));
            java.util.List<String> errors = server.deliveries(id).values().stream().map(d -> String.valueOf(d.get("last_error"))).toList();
            assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("VAPID credentials refused (403 VapidPkHashMismatch)"))
                    .anySatisfy(e -> assertThat(e).startsWith("VAPID credentials refused (400 BadJwtToken)"));
            assertThat(server.api.delete("/api/v1/subscriptions/" + keep, server.userToken("ida")).status()).isEqualTo(204);
        } finally {
            logger.detachAppender(alerts);
        }
    }

    /** The single delivery's state and attempt count, straight from the queue. */
    private static String deliveryState(TestServer server) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT state || ':' || attempts FROM deliveries")
                .mapTo(String.class).findOne().orElse("none"));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void retriesStopWhenTheTtlRunsOut(Backend backend) throws Exception {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        try (ScriptedPushService push = pushService(calls); TestServer server = new TestServer(backend)) {
            server.subscribe("fay", push.endpoint("/push/503/x").toString(), UserAgentKeys.generate());
            String id = server.send(Map.of("userIds", java.util.List.of("fay")), "hi", Map.of("ttl", 60));

            for (int attempt = 1; attempt <= 8; attempt++) {
                String recorded = "queued:" + attempt;
                Eventually.until("attempt " + attempt + " recorded", Duration.ofSeconds(30),
                        () -> deliveryState(server).equals(recorded) || deliveryState(server).startsWith("expired"),
                        () -> deliveryState(server));
                if (deliveryState(server).startsWith("expired")) {
                    break;
                }
                server.advance(Duration.ofSeconds(20));
            }

            assertThat(deliveryState(server)).startsWith("expired");
            assertThat(server.count(id, "expired")).isEqualTo(1);
            assertThat(server.notification(id).get("lastError").asText()).contains("TTL runs out before the next retry");
            assertThat(calls.get("/push/503/x").get()).as("backoff 10, 20, 40 s fits 2 to 4 attempts in 60 s").isBetween(2, 4);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void unreachablePushServiceIsRetriedNotDeleted(Backend backend) throws Exception {
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (TestServer server = new TestServer(backend)) {
            String sub = server.subscribe("gus", "http://127.0.0.1:" + deadPort + "/push/x", UserAgentKeys.generate());
            String id = server.send(Map.of("userIds", java.util.List.of("gus")), "hi", NO_EXTRA);

            Eventually.until("transport failure recorded", () -> server.notification(id).path("lastError").asText().contains("transport"));

            assertThat(server.count(id, "queued")).isEqualTo(1);
            assertThat(server.api.delete("/api/v1/subscriptions/" + sub, server.userToken("gus")).status()).isEqualTo(204);
        }
    }
}
