package dev.herald.server.engagement;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.config.Option;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Service-worker events: proven by the payload's receipt or a user token, deduplicated, counted. */
class EventsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode payload(ScriptedPushService push, String path, UserAgentKeys browser) throws Exception {
        ScriptedPushService.Received r = push.received.stream().filter(x -> x.path().equals(path)).reduce((a, b) -> b).orElseThrow();
        return JSON.readTree(browser.decrypt(r.body()));
    }

    private static Api.Response event(TestServer server, String bearer, Map<String, Object> body) {
        return server.api.post("/api/v1/events", bearer, body);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void receiptsProveDeliveryRepeatsCountOnceAndStrangersAreRefused(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService();
                TestServer server = new TestServer(backend, s -> s.with(Option.CATEGORIES, "news:on,promo:on"))) {
            UserAgentKeys annPhone = UserAgentKeys.generate();
            UserAgentKeys benPhone = UserAgentKeys.generate();
            server.subscribe("ann", push.endpoint("/ann").toString(), annPhone);
            server.subscribe("ben", push.endpoint("/ben").toString(), benPhone);
            String news = server.send(Map.of("all", true), "news", Map.of("category", "news",
                    "payload", Map.of("actions", List.of(Map.of("action", "open", "title", "Open")))));
            Eventually.until("sent", () -> server.count(news, "sent") == 2);
            String onlyBen = server.send(Map.of("userIds", List.of("ben")), "for ben", Map.of("category", "promo"));
            Eventually.until("sent to ben", () -> server.count(onlyBen, "sent") == 1);

            JsonNode annPayload = payload(push, "/ann", annPhone);
            String receipt = annPayload.at("/herald/receipt").asText();
            assertThat(annPayload.at("/herald/notificationId").asText()).isEqualTo(news);
            assertThat(receipt).isNotEmpty();

            assertThat(event(server, null, Map.of("notificationId", news, "type", "received", "receipt", receipt)).status()).isEqualTo(202);
            assertThat(event(server, null, Map.of("notificationId", news, "type", "shown", "receipt", receipt)).status()).isEqualTo(202);
            Api.Response repeat = event(server, null, Map.of("notificationId", news, "type", "shown", "receipt", receipt));
            assertThat(repeat.status()).isEqualTo(200);
            assertThat(repeat.json().get("recorded").asBoolean()).isFalse();
            assertThat(event(server, null, Map.of("notificationId", news, "type", "action", "action", "open",
                    "receipt", receipt)).status()).isEqualTo(202);
            for (int i = 0; i < 50; i++) { // only the actions the notification declared are stored
                Api.Response undeclared = event(server, null, Map.of("notificationId", news, "type", "action", "action", "x" + i,
                        "receipt", receipt));
                assertThat(undeclared.status()).isEqualTo(422);
                assertThat(undeclared.json().get("code").asText()).isEqualTo("unknown-action");
            }
            // ben reports with his user token instead of the receipt
            assertThat(event(server, server.userToken("ben"), Map.of("notificationId", news, "type", "closed")).status()).isEqualTo(202);

            // refused: ann's receipt for a notification ann never got; a user who was not sent it; a forged receipt
            assertThat(event(server, null, Map.of("notificationId", onlyBen, "type", "shown", "receipt", receipt)).json()
                    .get("code").asText()).isEqualTo("not-a-recipient");
            assertThat(event(server, server.userToken("ann"), Map.of("notificationId", onlyBen, "type", "clicked")).status()).isEqualTo(403);
            assertThat(event(server, server.userToken("zed"), Map.of("notificationId", news, "type", "clicked")).status()).isEqualTo(403);
            String forged = receipt.substring(0, receipt.indexOf('.') + 1) + "A".repeat(22);
            assertThat(event(server, null, Map.of("notificationId", news, "type", "clicked", "receipt", forged)).status()).isEqualTo(403);

            JsonNode view = server.notification(news);
            assertThat(view.at("/counts/delivered").asInt()).as("ann and ben reported something").isEqualTo(2);
            assertThat(view.at("/counts/shown").asInt()).isEqualTo(1);
            assertThat(view.at("/counts/clicked").asInt()).as("ann's action click").isEqualTo(1);
            assertThat(view.at("/counts/closed").asInt()).isEqualTo(1);
            assertThat(view.get("clickThroughRate").asDouble()).isEqualTo(0.5);
            assertThat(server.notification(onlyBen).has("clickThroughRate")).as("none before anything was delivered").isFalse();

            JsonNode stats = server.api.get("/api/v1/stats", server.key).json();
            assertThat(stats.get("categories").toString()).isEqualTo("[{\"category\":\"news\",\"notifications\":1,\"targeted\":2,"
                    + "\"sent\":2,\"suppressed\":0,\"failed\":0,\"expired\":0,\"gone\":0,\"cancelled\":0,\"delivered\":2,"
                    + "\"shown\":1,\"clicked\":1,\"closed\":1,\"clickThroughRate\":0.5},{\"category\":\"promo\",\"notifications\":1,"
                    + "\"targeted\":1,\"sent\":1,\"suppressed\":0,\"failed\":0,\"expired\":0,\"gone\":0,\"cancelled\":0,"
                    + "\"delivered\":0,\"shown\":0,\"clicked\":0,\"closed\":0}]");
        }
    }
}
