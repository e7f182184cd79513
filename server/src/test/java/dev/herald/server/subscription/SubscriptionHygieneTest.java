package dev.herald.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.auth.Scope;
import dev.herald.server.config.Option;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each subscription's last successful delivery and last engagement, written at most once a day; the stale listing;
 * the expiry policy (off by default) and its subscription.deleted events.
 */
class SubscriptionHygieneTest {

    private static Long column(TestServer server, String id, String column) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT " + column + " FROM subscriptions WHERE id = ?")
                .bind(0, id).map((rs, ctx) -> dev.herald.server.common.Rows.nullableLong(rs, column)).findOne().orElse(null));
    }

    private static boolean exists(TestServer server, String id) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM subscriptions WHERE id = ?")
                .bind(0, id).mapTo(Integer.class).one()) == 1;
    }

    private static String sendAndWait(TestServer server, String title, int sent) {
        String n = server.send(Map.of("all", true), title, Map.of("ttl", 60));
        Eventually.until(title + " sent", () -> server.count(n, "sent") == sent);
        return n;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void lastSuccessAndEngagementAreKeptAtADaysGranularityAndStaleSubscriptionsExpire(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService();
                TestServer server = new TestServer(backend, s -> s.with(Option.SUBSCRIPTION_EXPIRE_AFTER_DAYS, "30"))) {
            push.respond(ex -> ex.getRequestURI().getPath().equals("/dead") ? new ScriptedPushService.Reply(500, Map.of(), "")
                    : new ScriptedPushService.Reply(201, Map.of("Location", "/m/1"), ""));
            Instant t0 = server.clock.instant();
            String live = server.subscribe("ann", push.endpoint("/live").toString(), UserAgentKeys.generate());
            String dead = server.subscribe("ben", push.endpoint("/dead").toString(), UserAgentKeys.generate());
            assertThat(column(server, live, "last_success_at")).isNull();

            String first = sendAndWait(server, "first", 1);
            assertThat(column(server, live, "last_success_at")).isEqualTo(t0.toEpochMilli());
            assertThat(column(server, dead, "last_success_at")).as("a 500 is no success").isNull();

            // Within a day another success writes nothing; engagement is recorded the same way.
            server.advance(Duration.ofHours(2));
            sendAndWait(server, "second", 1);
            assertThat(column(server, live, "last_success_at")).isEqualTo(t0.toEpochMilli());
            assertThat(server.api.post("/api/v1/events", server.userToken("ann"), Map.of("notificationId", first, "type", "shown"))
                    .status()).isEqualTo(202);
            assertThat(column(server, live, "last_engaged_at")).isEqualTo(server.clock.millis());

            server.advance(Duration.ofDays(2));
            sendAndWait(server, "third", 1);
            Instant third = server.clock.instant();
            assertThat(column(server, live, "last_success_at")).isEqualTo(third.toEpochMilli());

            String admin = server.app.apiKeys().create("ops", EnumSet.of(Scope.ADMIN)).key();
            JsonNode stale = server.api.get("/api/v1/admin/devices?stale=1", admin).json();
            assertThat(stale.get("items")).extracting(d -> d.get("id").asText()).containsExactly(dead);
            assertThat(stale.at("/items/0/lastSuccessAt").isNull()).isTrue();
            JsonNode all = server.api.get("/api/v1/admin/devices", admin).json();
            assertThat(all.get("items")).filteredOn(d -> d.get("id").asText().equals(live))
                    .extracting(d -> d.get("lastSuccessAt").asText()).containsExactly(third.toString());
            JsonNode device = server.api.get("/api/v1/admin/devices/" + live, admin).json();
            assertThat(device.get("lastEngagedAt").asText()).isEqualTo(t0.plus(Duration.ofHours(2)).toString());
            assertThat(server.api.get("/api/v1/admin/devices?stale=x", admin).status()).isEqualTo(400);

            // 30 days after it was made, the subscription that never had a success expires; the live one stays.
            server.runMaintenanceAt(t0.plus(Duration.ofDays(30)).plusSeconds(1));
            assertThat(exists(server, dead)).isFalse();
            assertThat(exists(server, live)).isTrue();
            server.runMaintenanceAt(third.plus(Duration.ofDays(30)).plusSeconds(1));
            assertThat(exists(server, live)).as("30 days after its last success").isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void expiryIsOffByDefault(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            String id = server.subscribe("ann", push.endpoint("/a").toString(), UserAgentKeys.generate());
            server.runMaintenanceAt(server.clock.instant().plus(Duration.ofDays(400)));
            assertThat(exists(server, id)).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void expiryEmitsSubscriptionDeletedWithItsReason(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService();
                dev.herald.server.testing.WebhookSink sink = new dev.herald.server.testing.WebhookSink();
                TestServer server = new TestServer(backend, s -> s.with(Option.SUBSCRIPTION_EXPIRE_AFTER_DAYS, "7"))) {
            assertThat(server.api.post("/api/v1/webhooks", server.key, Map.of("url", sink.url(),
                    "events", List.of("subscription.deleted"))).status()).isEqualTo(201);
            String id = server.subscribe("ann", push.endpoint("/a").toString(), UserAgentKeys.generate());
            server.runMaintenanceAt(server.clock.instant().plus(Duration.ofDays(8)));
            server.app.wakeDelivery();
            Eventually.until("subscription.deleted", () -> sink.bodies.stream().anyMatch(b -> b.contains(id)));
            JsonNode event = dev.herald.server.http.Json.MAPPER.readTree(sink.bodies.get(0));
            assertThat(event.get("type").asText()).isEqualTo("subscription.deleted");
            assertThat(event.at("/data/subscriptionId").asText()).isEqualTo(id);
            assertThat(event.at("/data/userId").asText()).isEqualTo("ann");
            assertThat(event.at("/data/reason").asText()).isEqualTo("expired");
        }
    }
}
