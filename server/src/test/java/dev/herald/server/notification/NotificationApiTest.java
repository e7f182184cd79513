package dev.herald.server.notification;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NotificationApiTest {

    /**
     * Sends a fresh notification to everyone and waits for it: the engine works in due-time order, so once this
     * one is delivered anything due before it that was going to be sent has been. Lets a test assert that
     * something did not happen without sleeping.
     */
    private static void barrier(TestServer server) {
        String id = server.send(Map.of("all", true), "barrier", Map.of());
        Eventually.until("barrier delivered", () -> server.count(id, "sent") >= 1);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void audiencesReachExactlyTheirSubscriptions(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            String a1 = server.subscribe("ann", push.endpoint("/p/a1").toString(), UserAgentKeys.generate());
            server.subscribe("ann", push.endpoint("/p/a2").toString(), UserAgentKeys.generate());
            server.subscribe("ben", push.endpoint("/p/b1").toString(), UserAgentKeys.generate());

            String toAnn = server.send(Map.of("userIds", List.of("ann")), "for ann", Map.of());
            Eventually.until("ann's two", () -> server.count(toAnn, "sent") == 2);
            String toOne = server.send(Map.of("subscriptionIds", List.of(a1)), "for a1", Map.of());
            Eventually.until("one", () -> server.count(toOne, "sent") == 1);
            String toAll = server.send(Map.of("all", true), "for all", Map.of());
            Eventually.until("all", () -> server.count(toAll, "sent") == 3);
            String toNobody = server.send(Map.of("userIds", List.of("zed")), "nobody", Map.of());
            Eventually.until("completed", () -> server.notification(toNobody).get("status").asText().equals("completed"));

            assertThat(server.notification(toAnn).path("counts").path("targeted").asInt()).isEqualTo(2);
            assertThat(server.count(toNobody, "targeted")).isZero();
            assertThat(push.received.stream().map(ScriptedPushService.Received::path).sorted().toList())
                    .containsExactly("/p/a1", "/p/a1", "/p/a1", "/p/a2", "/p/a2", "/p/b1");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void scheduledNotificationWaitsForItsTimeOnTheClock(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            server.subscribe("cat", push.endpoint("/p/c").toString(), UserAgentKeys.generate());

            Api.Response r = server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                    "payload", Map.of("title", "later"), "sendAt", "2026-11-23T11:00:00Z", "ttl", 3600));
            String id = r.json().get("id").asText();

            assertThat(r.status()).isEqualTo(202);
            assertThat(r.json().get("status").asText()).isEqualTo("scheduled");
            server.advance(Duration.ofMinutes(59));
            assertThat(server.notification(id).get("status").asText()).isEqualTo("scheduled");
            assertThat(push.received).isEmpty();
            server.advance(Duration.ofMinutes(1));
            Eventually.until("sent at its time", () -> server.count(id, "sent") == 1);
            assertThat(server.notification(id).get("expiresAt").asText()).isEqualTo("2026-11-23T12:00:00Z");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void cancelStopsWhatIsNotYetSent(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            server.subscribe("dot", push.endpoint("/p/d").toString(), UserAgentKeys.generate());
            Api.Response r = server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                    "payload", Map.of("title", "never"), "sendAt", "2026-11-23T12:00:00Z"));
            String id = r.json().get("id").asText();

            Api.Response cancelled = server.api.delete("/api/v1/notifications/" + id, server.key);
            server.advance(Duration.ofHours(3));

            assertThat(cancelled.status()).isEqualTo(200);
            assertThat(cancelled.json().get("status").asText()).isEqualTo("cancelled");
            barrier(server);
            assertThat(push.received).hasSize(1);
            assertThat(server.count(id, "targeted")).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void cancelDuringRetriesMarksQueuedDeliveriesCancelled(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            push.respond(503, Map.of(), "down");
            server.subscribe("eli", push.endpoint("/p/e").toString(), UserAgentKeys.generate());
            String id = server.send(Map.of("all", true), "retrying", Map.of());
            Eventually.until("first failure recorded", () -> server.notification(id).path("lastError").asText().contains("503"));

            JsonNode after = server.api.delete("/api/v1/notifications/" + id, server.key).json();
            push.respond(201, Map.of(), "");
            server.advance(Duration.ofMinutes(10));

            assertThat(after.path("counts").path("cancelled").asInt()).isEqualTo(1);
            assertThat(after.path("counts").path("queued").asInt()).isZero();
            barrier(server);
            assertThat(push.received).as("the failed attempt and the barrier, no retry").hasSize(2);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void statusShowsSendingWhileDeliveriesAreInFlight(Backend backend) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            push.respond(ex -> {
                release.await(30, TimeUnit.SECONDS);
                return new ScriptedPushService.Reply(201, Map.of(), "");
            });
            server.subscribe("fin", push.endpoint("/p/f").toString(), UserAgentKeys.generate());
            String id = server.send(Map.of("all", true), "slow", Map.of());

            Eventually.until("in flight", () -> push.inHandler.get() == 1);
            assertThat(server.notification(id).get("status").asText()).isEqualTo("sending");
            assertThat(server.count(id, "queued")).isEqualTo(1);
            release.countDown();
            Eventually.until("completed", () -> server.notification(id).get("status").asText().equals("completed"));
            assertThat(server.count(id, "sent")).isEqualTo(1);
        } finally {
            release.countDown();
        }
    }
}
