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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A stored audience is read back as it was stored, not validated again: a notification accepted under an older,
 * looser rule still fans out after the rule was tightened.
 */
class StoredAudienceTest {
    /** A user id the request validator refuses today (a space is not in the id alphabet), stored by an "older" Herald. */
    private static final String OLD_STYLE_ID = "legacy user";

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anAudienceTheValidatorNowRefusesStillFansOut(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            UserAgentKeys browser = UserAgentKeys.generate();
            server.subscribe("ada", push.endpoint("/p/ada").toString(), browser);
            Map<String, Object> looser = Map.of("userIds", List.of("ada", OLD_STYLE_ID));
            Api.Response refused = server.api.post("/api/v1/notifications", server.key, Map.of("audience", looser,
                    "payload", Map.of("title", "now refused")));
            assertThat(refused.status()).as("today's validator refuses the audience").isEqualTo(422);

            String id = server.send(Map.of("userIds", List.of("ada")), "accepted earlier",
                    Map.of("sendAt", "2026-11-23T11:00:00Z"));
            server.app.database().jdbi().useHandle(h -> h.createUpdate("UPDATE notifications SET audience = ? WHERE id = ?")
                    .bind(0, "{\"userIds\":[\"ada\",\"" + OLD_STYLE_ID + "\"]}").bind(1, id).execute());
            server.advance(Duration.ofHours(1));

            Eventually.until("sent", () -> server.count(id, "sent") == 1);
            assertThat(server.notification(id).get("status").asText()).isEqualTo("completed");
            assertThat(server.notification(id).path("lastError").asText(null)).isNull();
            String json = new String(browser.decrypt(push.received.get(0).body()), StandardCharsets.UTF_8);
            assertThat(json).contains("\"title\":\"accepted earlier\"").contains("\"receipt\":\"");
        }
    }
}
