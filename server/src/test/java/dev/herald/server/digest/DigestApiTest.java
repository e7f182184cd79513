package dev.herald.server.digest;

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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Digests end to end: held per user and key, one summary per window, durable, and preferences on the summary. */
class DigestApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Object> POSTS = Map.of("key", "posts", "window", 600, "max", 2);

    private static String post(TestServer server, List<String> users, String title, Map<String, Object> digest) {
        return server.send(Map.of("userIds", users), title, Map.of("digest", digest,
                "payload", Map.of("url", "/posts/" + title.hashCode())));
    }

    /** Sends to a user nobody holds back and waits until it is sent: what was due before has been handled. */
    private static void barrier(TestServer server, String witness) {
        String id = server.send(Map.of("userIds", List.of(witness)), "barrier", Map.of());
        Eventually.until("barrier sent", () -> server.count(id, "sent") == 1);
    }

    private static List<JsonNode> received(ScriptedPushService push, String path, UserAgentKeys browser) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (ScriptedPushService.Received r : push.received) {
            if (r.path().equals(path)) {
                out.add(JSON.readTree(browser.decrypt(r.body())));
            }
        }
        return out;
    }

    private static int rows(TestServer server, String sql) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
    }

    private static String dump(TestServer server) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT * FROM digests").mapToMap().list().toString()
                + h.createQuery("SELECT id, status, send_at, audience, fanout_error FROM notifications").mapToMap().list()
                + h.createQuery("SELECT * FROM deliveries").mapToMap().list() + " now " + server.clock.millis());
    }

    private static String summaryOf(TestServer server, String user) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT notification_id FROM digests WHERE "
                + "user_id = ? AND state = 'released' ORDER BY released_at DESC").bind(0, user).mapTo(String.class).first());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aBurstIsHeldAndSentAsOneSummaryPerUserWhenTheWindowEnds(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            UserAgentKeys phone = UserAgentKeys.generate();
            UserAgentKeys laptop = UserAgentKeys.generate();
            UserAgentKeys benPhone = UserAgentKeys.generate();
            server.subscribe("ann", push.endpoint("/ann/phone").toString(), phone);
            server.subscribe("ann", push.endpoint("/ann/laptop").toString(), laptop);
            server.subscribe("ben", push.endpoint("/ben").toString(), benPhone);
            server.subscribe("zed", push.endpoint("/zed").toString(), UserAgentKeys.generate());
            Instant start = server.clock.instant();
            String ada = post(server, List.of("ann", "ben"), "Post from Ada", POSTS);
            Eventually.until("ada held", () -> server.notification(ada).at("/digest/held").asInt() == 2);
            server.advance(Duration.ofSeconds(100));
            String bob = post(server, List.of("ann", "ben"), "Post from Bob", POSTS);
            Eventually.until("bob held", () -> server.notification(bob).at("/digest/held").asInt() == 2);
            server.advance(Duration.ofSeconds(1));
            String cy = post(server, List.of("ann"), "Post from Cy", POSTS);
            Eventually.until("all held", () -> server.notification(cy).at("/digest/held").asInt() == 1
                    && server.notification(bob).at("/digest/held").asInt() == 2);

            JsonNode view = server.notification(ada);
            assertThat(view.get("status").asText()).isEqualTo("held");
            assertThat(view.get("digest").toString()).isEqualTo("{\"key\":\"posts\",\"window\":600,\"max\":2,\"held\":2,\"released\":0}");
            assertThat(view.at("/counts/targeted").asInt()).as("no delivery of the item itself").isZero();

            server.advanceTo(start.plusSeconds(599));
            assertThat(server.app.releaseDigests()).isZero();
            barrier(server, "zed");
            assertThat(push.received).as("nothing before the window ends").hasSize(1);

            server.advanceTo(start.plusSeconds(600));
            Eventually.until("summaries sent", Duration.ofSeconds(20), () -> push.received.size() == 4, () -> dump(server));
            for (var device : List.of(Map.entry("/ann/phone", phone), Map.entry("/ann/laptop", laptop))) {
                List<JsonNode> got = received(push, device.getKey(), device.getValue());
                assertThat(got).hasSize(1);
                JsonNode n = got.getFirst().get("notification");
                assertThat(n.get("title").asText()).isEqualTo("3 new notifications");
                assertThat(n.get("body").asText()).as("the newest max=2, newest first").isEqualTo("Post from Cy\nPost from Bob\nand 1 more");
                assertThat(n.get("navigate").asText()).endsWith("/posts/" + "Post from Cy".hashCode());
                assertThat(got.getFirst().at("/herald/data/digest/count").asInt()).isEqualTo(3);
                assertThat(got.getFirst().at("/herald/data/digest/notificationIds").toString()).isEqualTo("[\"" + cy + "\",\"" + bob + "\"]");
            }
            List<JsonNode> ben = received(push, "/ben", benPhone);
            assertThat(ben).hasSize(1);
            assertThat(ben.getFirst().at("/notification/title").asText()).isEqualTo("2 new notifications");

            String summary = summaryOf(server, "ann");
            Eventually.until("summary completed", () -> server.count(summary, "sent") == 2);
            JsonNode summaryView = server.notification(summary);
            assertThat(summaryView.get("digest").toString()).isEqualTo("{\"key\":\"posts\",\"count\":3,\"items\":[\""
                    + ada + "\",\"" + bob + "\",\"" + cy + "\"]}");
            assertThat(summaryView.get("category").asText()).isEqualTo("general");
            assertThat(server.notification(ada).get("digest").toString()).contains("\"held\":0,\"released\":2");
            assertThat(server.notification(ada).get("status").asText()).isEqualTo("completed");

            // The next item opens a new window; a window of one sends that item as it was.
            String dee = post(server, List.of("ann"), "Post from Dee", POSTS);
            Eventually.until("held", () -> server.notification(dee).at("/digest/held").asInt() == 1);
            server.advance(Duration.ofSeconds(600));
            Eventually.until("sent", () -> push.received.size() == 6);
            JsonNode single = received(push, "/ann/phone", phone).getLast();
            assertThat(single.at("/notification/title").asText()).isEqualTo("Post from Dee");
            assertThat(single.at("/herald/notificationId").asText()).isEqualTo(summaryOf(server, "ann")).isNotEqualTo(dee);
            assertThat(rows(server, "SELECT COUNT(*) FROM digests")).as("ann: two windows, ben: one").isEqualTo(3);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void heldItemsSurviveARestartAndCancelledOnesLeaveTheDigest(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            UserAgentKeys phone = UserAgentKeys.generate();
            server.subscribe("ann", push.endpoint("/ann").toString(), phone);
            Instant start = server.clock.instant();
            String first = post(server, List.of("ann"), "first", POSTS);
            Eventually.until("first held", () -> server.notification(first).at("/digest/held").asInt() == 1);
            server.advance(Duration.ofSeconds(1));
            String second = post(server, List.of("ann"), "second", POSTS);
            Eventually.until("second held", () -> server.notification(second).at("/digest/held").asInt() == 1);
            server.advance(Duration.ofSeconds(1));
            String third = post(server, List.of("ann"), "third", POSTS);
            Eventually.until("held", () -> server.notification(third).at("/digest/held").asInt() == 1
                    && server.notification(first).at("/digest/held").asInt() == 1);
            assertThat(server.api.delete("/api/v1/notifications/" + second, server.key).status()).isEqualTo(200);

            server.restart();
            server.advanceTo(start.plusSeconds(600));
            Eventually.until("sent", () -> push.received.size() == 1);
            JsonNode n = received(push, "/ann", phone).getFirst().get("notification");
            assertThat(n.get("title").asText()).isEqualTo("2 new notifications");
            assertThat(n.get("body").asText()).isEqualTo("third\nfirst");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void capsQuietHoursAndCategoriesApplyToTheSummaryNotToEachItem(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend,
                s -> s.with(Option.CATEGORIES, "news:on,promo:on").with(Option.MAX_PER_DAY, "1"))) {
            server.subscribe("ann", push.endpoint("/ann").toString(), UserAgentKeys.generate());
            server.subscribe("ben", push.endpoint("/ben").toString(), UserAgentKeys.generate());
            server.api.put("/api/v1/me/preferences", server.userToken("ben"), Map.of("categories", Map.of("news", false)));
            Instant start = server.clock.instant();
            List<String> items = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                items.add(post(server, List.of("ann", "ben"), "item " + i, POSTS));
            }
            Eventually.until("held", () -> server.notification(items.getLast()).at("/digest/held").asInt() == 2);
            server.advanceTo(start.plusSeconds(600));
            Eventually.until("ann's summary sent", () -> push.received.size() == 1);
            String annSummary = summaryOf(server, "ann");
            String benSummary = summaryOf(server, "ben");
            Eventually.until("ben's summary suppressed", () -> server.count(benSummary, "suppressed") == 1);
            // A cap of 1 a day lets the one summary of 5 through.
            Eventually.until("ann's summary recorded as sent", () -> server.count(annSummary, "sent") == 1);
            assertThat(server.notification(benSummary).get("lastError").asText()).contains("category news is off");
            assertThat(push.received).allSatisfy(r -> assertThat(r.path()).isEqualTo("/ann"));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aWindowAcrossTheAutumnDstChangeIsElapsedTimeAndQuietHoursDeferTheSummaryToLocalMorning(Backend backend)
            throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            server.subscribe("ann", push.endpoint("/ann").toString(), UserAgentKeys.generate());
            server.subscribe("ben", push.endpoint("/ben").toString(), UserAgentKeys.generate(), Map.of("timezone", "Europe/Berlin"));
            server.api.put("/api/v1/me/preferences", server.userToken("ann"), Map.of("quietHours",
                    Map.of("start", "22:00", "end", "07:00", "timezone", "Europe/Berlin")));
            // 2027-10-31, the last Sunday of October: Berlin falls back from 03:00 CEST to 02:00 CET at 01:00Z.
            // 00:55Z is 02:55 CEST; ten minutes later it is 02:05 CET, an earlier wall-clock time than the opening.
            server.advanceTo(Instant.parse("2027-10-31T00:55:00Z"));
            String one = post(server, List.of("ann", "ben"), "one", Map.of("key", "posts", "window", 600));
            Eventually.until("one held", () -> server.notification(one).at("/digest/held").asInt() == 2);
            server.advanceTo(Instant.parse("2027-10-31T00:58:00Z"));
            String last = post(server, List.of("ann", "ben"), "two", Map.of("key", "posts", "window", 600));
            Eventually.until("held", () -> server.notification(last).at("/digest/held").asInt() == 2);

            server.advanceTo(Instant.parse("2027-10-31T01:04:59Z"));
            assertThat(server.app.releaseDigests()).as("one second before the window ends").isZero();
            assertThat(rows(server, "SELECT COUNT(*) FROM digests WHERE state = 'released'")).isZero();

            server.advanceTo(Instant.parse("2027-10-31T01:05:00Z"));
            Eventually.until("ben's summary sent at 02:05 CET", Duration.ofSeconds(20), () -> push.received.size() == 1,
                    () -> dump(server));
            assertThat(push.received.getFirst().path()).isEqualTo("/ben");
            String annSummary = summaryOf(server, "ann");
            Eventually.until("ann's summary queued", () -> server.count(annSummary, "queued") == 1);
            assertThat(server.deliveries(annSummary).values().iterator().next()).as("quiet until 07:00 CET = 06:00Z")
                    .containsEntry("state", "queued").containsEntry("next_at", Instant.parse("2027-10-31T06:00:00Z"));
            server.advanceTo(Instant.parse("2027-10-31T06:00:00Z"));
            Eventually.until("ann's summary sent at 07:00 CET", () -> server.count(annSummary, "sent") == 1);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void badDigestRequestsAreRefusedWithTheFieldNamed(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            Map<String, Map<String, Object>> bad = Map.of(
                    "digest.key", Map.of("key", "no spaces", "window", 600),
                    "digest.window", Map.of("key", "posts", "window", 5),
                    "digest.max", Map.of("key", "posts", "window", 600, "max", 0),
                    "digest.extra", Map.of("key", "posts", "window", 600, "extra", 1));
            for (var e : bad.entrySet()) {
                Api.Response r = server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                        "payload", Map.of("title", "x"), "digest", e.getValue()));
                assertThat(r.status()).as(e.getKey()).isEqualTo(422);
                assertThat(r.json().get("code").asText()).isEqualTo("invalid-field");
                assertThat(r.json().get("field").asText()).isEqualTo(e.getKey());
            }
            Api.Response tooLong = server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                    "payload", Map.of("title", "x"), "digest", Map.of("key", "posts", "window", 7 * 86_400 + 1)));
            assertThat(tooLong.json().get("detail").asText()).contains("between 10 and 604800");
            Api.Response missing = server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                    "payload", Map.of("title", "x"), "digest", Map.of("key", "posts")));
            assertThat(missing.json().get("code").asText()).isEqualTo("missing-field");
            Api.Response local = server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                    "payload", Map.of("title", "x"), "sendAtLocal", "09:00", "digest", Map.of("key", "posts", "window", 600)));
            assertThat(local.status()).isEqualTo(422);
            assertThat(local.json().get("field").asText()).isEqualTo("digest");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSummaryTemplateNamesTheNewestAuthorsAndCountsTheOthersWithPluralSections(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            UserAgentKeys phone = UserAgentKeys.generate();
            server.subscribe("ann", push.endpoint("/ann").toString(), phone);
            Map<String, Object> digest = Map.of("key", "posts", "window", 600, "max", 2, "summary", Map.of(
                    "title", "{{count}} new {{#count.one}}post{{/count.one}}{{#count.other}}posts{{/count.other}} from "
                            + "{{#items}}{{data.author}}{{^-last}}, {{/-last}}{{/items}}{{#more}} and {{more}} "
                            + "{{#more.one}}other{{/more.one}}{{#more.other}}others{{/more.other}}{{/more}}",
                    "body", "{{#items}}{{data.author}}: {{body}}\n{{/items}}", "tag", "digest-{{key}}"));
            Instant start = server.clock.instant();
            String last = null;
            for (String author : List.of("Ada", "Bob", "Cy")) {
                last = server.send(Map.of("userIds", List.of("ann")), "New post from " + author, Map.of("digest", digest,
                        "payload", Map.of("body", "hello from " + author, "data", Map.of("author", author))));
                String id = last;
                Eventually.until(author + " held", () -> server.notification(id).at("/digest/held").asInt() == 1);
                server.advance(Duration.ofSeconds(1));
            }
            server.advanceTo(start.plusSeconds(600));
            Eventually.until("sent", () -> push.received.size() == 1);
            JsonNode got = received(push, "/ann", phone).getFirst();
            assertThat(got.at("/notification/title").asText()).isEqualTo("3 new posts from Cy, Bob and 1 other");
            assertThat(got.at("/notification/body").asText()).isEqualTo("Cy: hello from Cy\nBob: hello from Bob\n");
            assertThat(got.at("/notification/tag").asText()).isEqualTo("digest-posts");
            assertThat(got.at("/herald/data/digest/count").asInt()).isEqualTo(3);

            Api.Response bad = server.api.post("/api/v1/notifications", server.key, Map.of("audience", Map.of("all", true),
                    "payload", Map.of("title", "x"), "digest", Map.of("key", "posts", "window", 600,
                            "summary", Map.of("title", "{{#count}} unclosed"))));
            assertThat(bad.status()).isEqualTo(422);
            assertThat(bad.json().get("field").asText()).isEqualTo("digest.summary.title");
        }
    }
}
