package dev.herald.server.notification;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/** Content per locale: each delivery reads the user's language, else the device's, else the default. */
class LocalizedContentTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode received(ScriptedPushService push, String path, UserAgentKeys browser) throws Exception {
        ScriptedPushService.Received r = push.received.stream().filter(x -> x.path().equals(path)).reduce((a, b) -> b).orElseThrow();
        return JSON.readTree(browser.decrypt(r.body())).get("notification");
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void eachDeliveryGetsTheVariantForItsReadersLocale(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            UserAgentKeys ann = UserAgentKeys.generate();
            UserAgentKeys ben = UserAgentKeys.generate();
            UserAgentKeys cy = UserAgentKeys.generate();
            UserAgentKeys dee = UserAgentKeys.generate();
            UserAgentKeys eve = UserAgentKeys.generate();
            server.subscribe("ann", push.endpoint("/ann").toString(), ann, Map.of("locale", "de-AT"));
            server.subscribe("ben", push.endpoint("/ben").toString(), ben, Map.of("locale", "pt-br"));
            server.subscribe("cy", push.endpoint("/cy").toString(), cy, Map.of("locale", "fr"));
            server.subscribe("dee", push.endpoint("/dee").toString(), dee, Map.of("locale", "en-US"));
            server.subscribe("eve", push.endpoint("/eve").toString(), eve);
            Api.Response pref = server.api.put("/api/v1/me/preferences", server.userToken("dee"), Map.of("locale", "de-ch"));
            assertThat(pref.status()).isEqualTo(200);
            assertThat(pref.json().get("locale").asText()).isEqualTo("de-CH");

            Api.Response sent = server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                    "payload", Map.of("title", "Hello", "body", "A new post", "url", "/posts/1"),
                    "localized", Map.of("de", Map.of("title", "Hallo", "body", "Ein neuer Beitrag"), "pt-BR", Map.of("title", "Olá"))));
            assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
            String id = sent.json().get("id").asText();
            Eventually.until("all sent", () -> server.count(id, "sent") == 5);

            JsonNode toAnn = received(push, "/ann", ann);
            assertThat(toAnn.get("title").asText()).isEqualTo("Hallo");
            assertThat(toAnn.get("body").asText()).isEqualTo("Ein neuer Beitrag");
            assertThat(toAnn.get("lang").asText()).isEqualTo("de");
            assertThat(toAnn.get("navigate").asText()).as("fields a variant omits come from payload").endsWith("/posts/1");
            JsonNode toBen = received(push, "/ben", ben);
            assertThat(toBen.get("title").asText()).isEqualTo("Olá");
            assertThat(toBen.get("body").asText()).isEqualTo("A new post");
            assertThat(toBen.get("lang").asText()).isEqualTo("pt-BR");
            assertThat(received(push, "/cy", cy).get("title").asText()).isEqualTo("Hello");
            assertThat(received(push, "/cy", cy).has("lang")).isFalse();
            assertThat(received(push, "/dee", dee).get("title").asText()).as("the preference beats the device").isEqualTo("Hallo");
            assertThat(received(push, "/eve", eve).get("title").asText()).isEqualTo("Hello");

            JsonNode view = server.notification(id);
            assertThat(JSON.convertValue(view.get("locales"), Map.class)).isEqualTo(Map.of("de", 2, "pt-BR", 1, "default", 2));
            String plain = server.send(Map.of("all", true), "plain", Map.of());
            Eventually.until("plain sent", () -> server.count(plain, "sent") == 5);
            assertThat(server.notification(plain).has("locales")).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void badVariantsAreRefusedUpFrontNamingTheVariant(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend)) {
            Map<String, Object> payload = Map.of("title", "Hello");
            record Case(Object localized, String code, String field) {}
            for (Case c : List.of(
                    new Case(Map.of("xx-QQ", Map.of("title", "?")), "unknown-locale", "localized.xx-QQ"),
                    new Case(Map.of("de_DE!", Map.of("title", "?")), "unknown-locale", "localized.de_DE!"),
                    new Case(Map.of("de", Map.of("title", "Hallo"), "DE", Map.of("title", "Hallo")), "invalid-field", "localized.DE"),
                    new Case(Map.of("de", Map.of("colour", "red")), "invalid-field", "localized.de.colour"),
                    new Case(Map.of("de", Map.of("body", "x".repeat(2000), "data", Map.of("pad", "y".repeat(2500)))),
                            "payload-too-large", "localized.de"),
                    new Case(Map.of("de", "Hallo"), "invalid-field", "localized.de"))) {
                Api.Response r = server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                        "payload", payload, "localized", c.localized()));
                assertThat(r.status()).as(r.toString()).isEqualTo(422);
                assertThat(r.json().get("code").asText()).as(r.toString()).isEqualTo(c.code());
                assertThat(r.json().get("field").asText()).as(r.toString()).isEqualToIgnoringCase(c.field()); // map order: de or DE
            }
            Api.Response badPref = server.api.put("/api/v1/me/preferences", server.userToken("ann"), Map.of("locale", "zz"));
            assertThat(badPref.status()).isEqualTo(422);
            assertThat(badPref.json().get("code").asText()).isEqualTo("unknown-locale");
        }
    }
}
