package dev.herald.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;

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

/** Server-owned ('@') tags and topics: only a manage key sets them, so privileged audiences reach only whom it labelled. */
class ServerOwnedLabelsTest {

    private static void assertRefused(Api.Response r, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(403);
        assertThat(r.json().get("code").asText()).isEqualTo("server-owned");
        assertThat(r.json().get("field").asText()).isEqualTo(field);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aUserTokenCannotGiveItselfServerOwnedTagsOrTopics(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            String mallory = server.userToken("mallory");
            UserAgentKeys browser = UserAgentKeys.generate();
            Map<String, Object> sub = Map.of("endpoint", push.endpoint("/mallory").toString(),
                    "keys", Map.of("p256dh", browser.p256dh(), "auth", browser.authBase64Url()));
            assertRefused(server.api.post("/api/v1/subscriptions", mallory, Map.of("subscription", sub, "tags", Map.of("@plan", "pro"))), "tags");
            assertRefused(server.api.post("/api/v1/subscriptions", mallory, Map.of("subscription", sub, "topics", List.of("@admins"))), "topics");
            String id = server.subscribe("mallory", push.endpoint("/mallory").toString(), browser);
            assertRefused(server.api.post("/api/v1/subscriptions/" + id + "/topics/@admins", mallory, ""), "topic");
            assertRefused(server.api.put("/api/v1/subscriptions/" + id + "/tags", mallory, Map.of("tags", Map.of("@plan", "pro"))), "tags");
            assertRefused(server.api.put("/api/v1/me/preferences", mallory, Map.of("topics", List.of("@admins"))), "topics");
            assertThat(server.api.put("/api/v1/users/mallory/tags", mallory, Map.of("tags", Map.of("@plan", "pro"))).status())
                    .as("the user routes need a manage key").isEqualTo(403);
            assertThat(server.api.post("/api/v1/users/mallory/topics/@admins", mallory, "").status()).isEqualTo(403);

            // What mallory can still do: label herself with user-owned names, which privileged audiences never use.
            server.api.put("/api/v1/subscriptions/" + id + "/tags", mallory, Map.of("tags", Map.of("plan", "pro")));
            String admins = server.send(Map.of("topic", "@admins"), "for admins", Map.of());
            String pro = server.send(Map.of("tags", Map.of("@plan", "pro")), "pro only", Map.of());
            String selfLabelled = server.send(Map.of("tags", Map.of("plan", "pro")), "anyone saying pro", Map.of());
            Eventually.until("user-owned tag audience", () -> server.count(selfLabelled, "sent") == 1);
            assertThat(server.count(admins, "targeted")).isZero();
            assertThat(server.count(pro, "targeted")).isZero();
            assertThat(push.received).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aManageKeyLabelsUsersAndSubscriptionsAndAudiencesMatchBoth(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            server.subscribe("ann", push.endpoint("/ann/phone").toString(), UserAgentKeys.generate(),
                    Map.of("tags", Map.of("color", "red"), "topics", List.of("news")));
            UserAgentKeys benBrowser = UserAgentKeys.generate();
            String ben = server.subscribe("ben", push.endpoint("/ben").toString(), benBrowser);
            server.subscribe("cat", push.endpoint("/cat").toString(), UserAgentKeys.generate());

            // User level: ann is an admin and a pro user on every device, including ones she subscribes later.
            Api.Response labelled = server.api.put("/api/v1/users/ann/tags", server.key, Map.of("tags", Map.of("@plan", "pro")));
            assertThat(labelled.status()).as(labelled.toString()).isEqualTo(200);
            assertThat(server.api.post("/api/v1/users/ann/topics/@admins", server.key, "").json().toString())
                    .isEqualTo("{\"userId\":\"ann\",\"tags\":{\"@plan\":\"pro\"},\"topics\":[\"@admins\"]}");
            assertThat(server.api.put("/api/v1/users/ann/tags", server.key, Map.of("tags", Map.of("plan", "pro"))).status())
                    .as("user-level labels are server-owned names").isEqualTo(422);
            server.subscribe("ann", push.endpoint("/ann/laptop").toString(), UserAgentKeys.generate());
            // Subscription level: ben's one browser.
            Api.Response tagged = server.api.put("/api/v1/subscriptions/" + ben + "/tags", server.key, Map.of("tags", Map.of("@plan", "pro")));
            assertThat(tagged.json().get("tags").toString()).isEqualTo("{\"@plan\":\"pro\"}");
            assertThat(server.api.post("/api/v1/subscriptions/" + ben + "/topics/@admins", server.key, "").status()).isEqualTo(200);

            // The users' own changes keep what the server set.
            String benToken = server.userToken("ben");
            Api.Response own = server.api.put("/api/v1/subscriptions/" + ben + "/tags", benToken, Map.of("tags", Map.of("color", "blue")));
            assertThat(own.json().get("tags").toString()).isEqualTo("{\"@plan\":\"pro\",\"color\":\"blue\"}");
            server.subscribe("ben", push.endpoint("/ben").toString(), benBrowser, Map.of("topics", List.of("news"), "tags", Map.of()));
            assertThat(server.api.put("/api/v1/me/preferences", server.userToken("ann"), Map.of("topics", List.of())).json()
                    .get("topics").toString()).as("preferences show the user's own topics").isEqualTo("[]");
            assertRefused(server.api.delete("/api/v1/subscriptions/" + ben + "/topics/@admins", benToken), "topic");

            String admins = server.send(Map.of("topic", "@admins"), "for admins", Map.of());
            Eventually.until("admins", () -> server.count(admins, "sent") == 3);
            String pro = server.send(Map.of("tags", Map.of("@plan", "pro")), "pro", Map.of());
            Eventually.until("pro", () -> server.count(pro, "sent") == 3);
            String redPro = server.send(Map.of("tags", Map.of("@plan", "pro", "color", "red")), "red pro", Map.of());
            Eventually.until("red pro", () -> server.count(redPro, "sent") == 1);
            assertThat(push.received.stream().map(ScriptedPushService.Received::path).sorted().toList()).containsExactly(
                    "/ann/laptop", "/ann/laptop", "/ann/phone", "/ann/phone", "/ann/phone", "/ben", "/ben");

            // Another user taking ben's browser over starts without ben's server-owned labels.
            server.subscribe("cat", push.endpoint("/ben").toString(), benBrowser);
            String again = server.send(Map.of("topic", "@admins"), "admins again", Map.of());
            Eventually.until("admins again", () -> server.count(again, "sent") == 2);
            assertThat(server.api.delete("/api/v1/users/ann/topics/@admins", server.key).json().get("topics").toString()).isEqualTo("[]");
        }
    }
}
