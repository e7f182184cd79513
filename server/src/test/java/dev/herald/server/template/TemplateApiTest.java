package dev.herald.server.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.server.auth.Scope;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Templates: managed and versioned, filled from shared data at send time and from per-user data per delivery. */
class TemplateApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Object> NEW_POSTS = Map.of("name", "new-posts", "description", "posts since the last visit",
            "payload", Map.of("title", "{{count}} new post{{#count.other}}s{{/count.other}} from {{author}}",
                    "url", "/posts/{{postId}}"),
            "localized", Map.of("de", Map.of("title", "{{count}} neue{{#count.one}}r Beitrag{{/count.one}}"
                    + "{{#count.other}} Beiträge{{/count.other}} von {{author}}")));

    static JsonNode received(ScriptedPushService push, String path, UserAgentKeys browser) throws Exception {
        ScriptedPushService.Received r = push.received.stream().filter(x -> x.path().equals(path)).reduce((a, b) -> b).orElseThrow();
        return JSON.readTree(browser.decrypt(r.body())).get("notification");
    }

    private static void refused(Api.Response r, int status, String code, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.json().get("code").asText()).as(r.toString()).isEqualTo(code);
        if (field != null) {
            assertThat(r.json().get("field").asText()).as(r.toString()).isEqualTo(field);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void templatesAreCreatedVersionedListedAndDeletedWithAManageKey(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            Api api = server.api;
            Api.Response created = api.post("/api/v1/templates", server.key, NEW_POSTS);
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            assertThat(created.json().get("version").asInt()).isEqualTo(1);
            assertThat(JSON.convertValue(created.json().get("variables"), List.class))
                    .containsExactlyInAnyOrder("count", "count.one", "count.other", "author", "postId");
            refused(api.post("/api/v1/templates", server.key, NEW_POSTS), 409, "conflict", "name");

            Api.Response updated = api.put("/api/v1/templates/new-posts", server.key, Map.of("payload", Map.of("title", "{{count}} new")));
            assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
            assertThat(updated.json().get("version").asInt()).isEqualTo(2);
            assertThat(api.get("/api/v1/templates/new-posts", server.key).json().at("/payload/title").asText()).isEqualTo("{{count}} new");
            assertThat(api.get("/api/v1/templates/new-posts?version=1", server.key).json().at("/localized/de/title").asText())
                    .startsWith("{{count}} neue");
            JsonNode list = api.get("/api/v1/templates", server.key).json().get("templates");
            assertThat(list).hasSize(1);
            assertThat(list.get(0).get("version").asInt()).isEqualTo(2);

            String sendOnly = server.app.apiKeys().create("send only", EnumSet.of(Scope.SEND)).key();
            assertThat(api.get("/api/v1/templates", sendOnly).status()).isEqualTo(403);
            refused(api.put("/api/v1/templates/nope", server.key, Map.of("payload", Map.of("title", "x"))), 404, "not-found", null);
            refused(api.post("/api/v1/templates", server.key, Map.of("name", "bad", "payload", Map.of("title", "{{#open}} x"))),
                    422, "invalid-template", "payload.title");
            refused(api.post("/api/v1/templates", server.key, Map.of("name", "bad", "payload", Map.of("title", "x"),
                    "localized", Map.of("de", Map.of("body", "{{bad name}}")))), 422, "invalid-template", "localized.de.body");
            refused(api.post("/api/v1/templates", server.key, Map.of("name", "bad", "payload", Map.of("title", "x"),
                    "localized", Map.of("klingon", Map.of("title", "x")))), 422, "unknown-locale", "localized.klingon");
            refused(api.post("/api/v1/templates", server.key, Map.of("name", "bad", "payload", Map.of("title", "x", "colour", "red"))),
                    422, "invalid-field", "payload.colour");
            refused(api.post("/api/v1/templates", server.key, Map.of("name", "Bad Name", "payload", Map.of("title", "x"))),
                    422, "invalid-field", "name");

            assertThat(api.delete("/api/v1/templates/new-posts", server.key).status()).isEqualTo(204);
            assertThat(api.get("/api/v1/templates/new-posts", server.key).status()).isEqualTo(404);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void sharedDataFillsEachLocalesVariantAndTheNotificationKeepsItsVersion(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            UserAgentKeys ann = UserAgentKeys.generate();
            UserAgentKeys ben = UserAgentKeys.generate();
            server.subscribe("ann", push.endpoint("/ann").toString(), ann, Map.of("locale", "de-DE"));
            server.subscribe("ben", push.endpoint("/ben").toString(), ben, Map.of("locale", "en"));
            assertThat(server.api.post("/api/v1/templates", server.key, NEW_POSTS).status()).isEqualTo(201);

            Api.Response sent = server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                    "template", "new-posts", "data", Map.of("count", 3, "author", "Ada & Bob", "postId", 42)));
            assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
            String id = sent.json().get("id").asText();
            Eventually.until("sent", () -> server.count(id, "sent") == 2);
            assertThat(received(push, "/ann", ann).get("title").asText()).isEqualTo("3 neue Beiträge von Ada & Bob");
            assertThat(received(push, "/ann", ann).get("lang").asText()).isEqualTo("de");
            assertThat(received(push, "/ben", ben).get("title").asText()).isEqualTo("3 new posts from Ada & Bob");
            assertThat(received(push, "/ben", ben).get("navigate").asText()).endsWith("/posts/42");
            JsonNode view = server.notification(id);
            assertThat(view.at("/template/name").asText()).isEqualTo("new-posts");
            assertThat(view.at("/template/version").asInt()).isEqualTo(1);
            assertThat(JSON.convertValue(view.get("locales"), Map.class)).isEqualTo(Map.of("de", 1, "default", 1));

            // One post: the singular sections; and an older version on request.
            server.api.put("/api/v1/templates/new-posts", server.key, Map.of("payload", Map.of("title", "v2 {{count}}")));
            Api.Response one = server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("userIds", List.of("ann")),
                    "template", Map.of("name", "new-posts", "version", 1), "data", Map.of("count", 1, "author", "Ada", "postId", 7)));
            String oneId = one.json().get("id").asText();
            Eventually.until("sent", () -> server.count(oneId, "sent") == 1);
            assertThat(received(push, "/ann", ann).get("title").asText()).isEqualTo("1 neuer Beitrag von Ada");

            refused(server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                    "template", Map.of("name", "new-posts", "version", 1), "data", Map.of("count", 2, "postId", 1))),
                    422, "missing-variable", "data.author");
            refused(server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                    "template", "no-such", "data", Map.of())), 422, "unknown-template", "template");
            refused(server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                    "template", "new-posts", "payload", Map.of("title", "x"))), 422, "invalid-field", "payload");
            refused(server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                    "payload", Map.of("title", "x"), "data", Map.of("a", 1))), 422, "invalid-field", "data");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void perUserDataComesFromAttributesAndByUserAndAMissingValueFailsOnlyThatDelivery(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            UserAgentKeys ann = UserAgentKeys.generate();
            UserAgentKeys ben = UserAgentKeys.generate();
            UserAgentKeys cy = UserAgentKeys.generate();
            server.subscribe("ann", push.endpoint("/ann").toString(), ann, Map.of("locale", "de"));
            server.subscribe("ben", push.endpoint("/ben").toString(), ben);
            server.subscribe("cy", push.endpoint("/cy").toString(), cy);
            assertThat(server.api.post("/api/v1/templates", server.key, Map.of("name", "greeting",
                    "payload", Map.of("title", "Hi {{user.name}}", "body", "{{count}} new{{#user.vip}} (VIP){{/user.vip}}"),
                    "localized", Map.of("de", Map.of("title", "Hallo {{user.name}}")))).status()).isEqualTo(201);
            Api.Response attrs = server.api.put("/api/v1/users/ann/attributes", server.key,
                    Map.of("attributes", Map.of("name", "Ann", "vip", true)));
            assertThat(attrs.status()).as(attrs.toString()).isEqualTo(200);
            assertThat(server.api.get("/api/v1/users/ann/attributes", server.key).json().at("/attributes/name").asText()).isEqualTo("Ann");

            refused(server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                    "template", "greeting", "data", Map.of("byUser", Map.of()))), 422, "missing-variable", "data.count");
            Api.Response sent = server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                    "template", "greeting", "data", Map.of("count", 2, "byUser", Map.of("ben", Map.of("name", "Ben", "vip", false)))));
            assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
            String id = sent.json().get("id").asText();
            Eventually.until("done", () -> server.count(id, "sent") + server.count(id, "failed") == 3);

            assertThat(received(push, "/ann", ann).get("title").asText()).isEqualTo("Hallo Ann");
            assertThat(received(push, "/ann", ann).get("body").asText()).isEqualTo("2 new (VIP)");
            assertThat(received(push, "/ben", ben).get("title").asText()).isEqualTo("Hi Ben");
            assertThat(received(push, "/ben", ben).get("body").asText()).isEqualTo("2 new");
            assertThat(push.received.stream().filter(r -> r.path().equals("/cy"))).as("nothing half-rendered").isEmpty();
            assertThat(server.count(id, "failed")).isEqualTo(1);
            assertThat(server.notification(id).get("lastError").asText()).contains("has no value").contains("for user cy");

            refused(server.api.put("/api/v1/users/ann/attributes", server.key, Map.of("attributes", Map.of("bio", "x".repeat(5000)))),
                    422, "attributes-too-large", "attributes");
            refused(server.api.put("/api/v1/users/ann/attributes", server.key, Map.of("attributes", Map.of("bad name", 1))),
                    422, "invalid-field", "attributes.bad name");
            refused(server.api.put("/api/v1/users/ann/attributes", server.key, Map.of("attributes", Map.of("id", "x"))),
                    422, "invalid-field", "attributes.id");
            refused(server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                    "template", "greeting", "data", Map.of("count", 1, "user", Map.of()))), 422, "invalid-field", "data.user");
        }
    }
}
