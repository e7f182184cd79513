package dev.herald.server.preference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.config.Option;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Preferences applied on the server: categories, quiet hours, caps, topics and local-time sends, end to end. */
class PreferencesApiTest {
    private static final String PREFS = "/api/v1/me/preferences";

    private static TestServer server(Backend backend, String maxPerDay) {
        return new TestServer(backend, s -> s.with(Option.CATEGORIES, "news:on,promo:off:Offers,security:critical")
                .with(Option.MAX_PER_DAY, maxPerDay));
    }

    /** Sends to a user nobody has muted and waits until it is sent: everything due earlier has been handled. */
    private static void barrier(TestServer server, String witness) {
        String id = server.send(Map.of("userIds", List.of(witness)), "barrier", Map.of("category", "security"));
        Eventually.until("barrier sent", () -> server.count(id, "sent") == 1);
    }

    private static long sentTo(ScriptedPushService push, String path) {
        return push.received.stream().filter(r -> r.path().equals(path)).count();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void optedOutCategoryIsSuppressedAndCriticalOnesStillArrive(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = server(backend, "0")) {
            server.subscribe("ann", push.endpoint("/ann").toString(), UserAgentKeys.generate());
            server.subscribe("ben", push.endpoint("/ben").toString(), UserAgentKeys.generate());
            String ann = server.userToken("ann");
            Api.Response put = server.api.put(PREFS, ann, Map.of("categories", Map.of("news", false, "promo", true)));
            assertThat(put.status()).isEqualTo(200);
            assertThat(put.json().get("categories").toString()).isEqualTo("{\"news\":false,\"promo\":true,\"security\":true}");

            String news = server.send(Map.of("all", true), "news", Map.of("category", "news"));
            String promo = server.send(Map.of("all", true), "promo", Map.of("category", "promo"));
            String security = server.send(Map.of("all", true), "security", Map.of("category", "security"));
            Eventually.until("all fanned out", () -> server.count(security, "sent") == 2 && server.count(news, "sent") == 1
                    && server.count(promo, "sent") == 1);

            assertThat(server.count(news, "suppressed")).as("ann turned news off").isEqualTo(1);
            assertThat(server.count(promo, "suppressed")).as("promo is off by default for ben").isEqualTo(1);
            assertThat(server.notification(news).get("lastError").asText()).contains("category news is off");
            assertThat(sentTo(push, "/ann")).as("ann: promo and security").isEqualTo(2);
            assertThat(sentTo(push, "/ben")).as("ben: news and security").isEqualTo(2);
            assertThat(server.api.get(PREFS, server.userToken("ben")).json().get("categories").toString())
                    .isEqualTo("{\"news\":true,\"promo\":false,\"security\":true}");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void quietHoursDeferToTheLocalEndOfTheWindowAcrossTheDstChange(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = server(backend, "0")) {
            server.subscribe("ann", push.endpoint("/ann").toString(), UserAgentKeys.generate());
            server.subscribe("zed", push.endpoint("/zed").toString(), UserAgentKeys.generate());
            server.api.put(PREFS, server.userToken("ann"), Map.of("quietHours",
                    Map.of("start", "22:00", "end", "07:00", "timezone", "Europe/Berlin")));
            // 00:30 CET on 2027-03-28, the night Berlin springs forward: 07:00 CEST is 05:00Z.
            server.advanceTo(Instant.parse("2027-03-27T23:30:00Z"));

            String id = server.send(Map.of("userIds", List.of("ann")), "good morning", Map.of("category", "news", "ttl", 86_400));
            Eventually.until("fanned out", () -> server.count(id, "targeted") == 1);
            assertThat(server.deliveries(id).values().iterator().next()).containsEntry("state", "queued")
                    .containsEntry("next_at", Instant.parse("2027-03-28T05:00:00Z"));

            server.advanceTo(Instant.parse("2027-03-28T04:59:59Z"));
            barrier(server, "zed");
            assertThat(sentTo(push, "/ann")).as("still quiet at 06:59:59 CEST").isZero();
            server.advanceTo(Instant.parse("2027-03-28T05:00:00Z"));
            Eventually.until("sent at 07:00 CEST", () -> server.count(id, "sent") == 1);
            assertThat(push.received.stream().filter(r -> r.path().equals("/ann")).findFirst().orElseThrow()
                    .headers().get("ttl")).as("TTL counts from the original send").isEqualTo(String.valueOf(86_400 - 5 * 3600 - 1800));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void quietHoursSuppressWhenTheTtlRunsOutFirstAndUrgentCriticalOnesBypass(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = server(backend, "0")) {
            server.subscribe("ann", push.endpoint("/ann").toString(), UserAgentKeys.generate(), Map.of("timezone", "Asia/Tokyo"));
            server.api.put(PREFS, server.userToken("ann"), Map.of("quietHours", Map.of("start", "18:00", "end", "08:00")));
            // 10:00Z is 19:00 in Tokyo (the subscription's zone; the preferences name none): quiet until 23:00Z.
            String shortLived = server.send(Map.of("userIds", List.of("ann")), "flash sale", Map.of("category", "news", "ttl", 3600));
            String urgent = server.send(Map.of("userIds", List.of("ann")), "new sign-in", Map.of("category", "security",
                    "urgency", "high"));
            String normalCritical = server.send(Map.of("userIds", List.of("ann")), "weekly security digest",
                    Map.of("category", "security"));
            String ignoring = server.send(Map.of("userIds", List.of("ann")), "your ride is here",
                    Map.of("category", "news", "respectQuietHours", false));

            Eventually.until("urgent and ignoring sent", () -> server.count(urgent, "sent") == 1 && server.count(ignoring, "sent") == 1);
            Eventually.until("short-lived suppressed", () -> server.count(shortLived, "suppressed") == 1);
            assertThat(server.notification(shortLived).get("lastError").asText()).contains("quiet hours until 08:00 Asia/Tokyo");
            assertThat(server.deliveries(normalCritical).values().iterator().next()).as("critical but not urgent: deferred")
                    .containsEntry("state", "queued").containsEntry("next_at", Instant.parse("2026-11-23T23:00:00Z"));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void dailyCapsSuppressUntilTheRollingWindowMovesOn(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = server(backend, "2")) {
            server.subscribe("ann", push.endpoint("/ann/phone").toString(), UserAgentKeys.generate());
            server.subscribe("ann", push.endpoint("/ann/laptop").toString(), UserAgentKeys.generate());
            server.subscribe("ben", push.endpoint("/ben").toString(), UserAgentKeys.generate());
            server.api.put(PREFS, server.userToken("ben"), Map.of("maxPerDay", 1));

            String first = server.send(Map.of("userIds", List.of("ann", "ben")), "1", Map.of("category", "news"));
            Eventually.until("first", () -> server.count(first, "sent") == 3);
            server.advance(Duration.ofHours(1));
            String second = server.send(Map.of("userIds", List.of("ann", "ben")), "2", Map.of("category", "news"));
            Eventually.until("second", () -> server.count(second, "sent") + server.count(second, "suppressed") == 3);
            assertThat(server.count(second, "sent")).as("ann's two devices count once; ben lowered his cap to 1").isEqualTo(2);
            server.advance(Duration.ofHours(1));
            String third = server.send(Map.of("userIds", List.of("ann", "ben")), "3", Map.of("category", "news"));
            String critical = server.send(Map.of("userIds", List.of("ann", "ben")), "!", Map.of("category", "security"));
            Eventually.until("third", () -> server.count(third, "suppressed") == 3 && server.count(critical, "sent") == 3);
            assertThat(server.notification(third).get("lastError").asText()).contains("daily cap");

            server.advance(Duration.ofHours(22).plusSeconds(1)); // 24 h after the first
            String fourth = server.send(Map.of("userIds", List.of("ann", "ben")), "4", Map.of("category", "news"));
            Eventually.until("fourth", () -> server.count(fourth, "sent") + server.count(fourth, "suppressed") == 3);
            assertThat(server.count(fourth, "sent")).as("the first left the rolling day: ann has 1 in it (the second), ben none")
                    .isEqualTo(3);
            String fifth = server.send(Map.of("userIds", List.of("ann", "ben")), "5", Map.of("category", "news"));
            Eventually.until("fifth", () -> server.count(fifth, "suppressed") == 3);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void sendAtLocalFansOutPerTimeZone(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = server(backend, "0")) {
            String tokyo = server.subscribe("aiko", push.endpoint("/tokyo").toString(), UserAgentKeys.generate(),
                    Map.of("timezone", "Asia/Tokyo"));
            String berlin = server.subscribe("bernd", push.endpoint("/berlin").toString(), UserAgentKeys.generate(),
                    Map.of("timezone", "America/Los_Angeles"));
            server.api.put(PREFS, server.userToken("bernd"), Map.of("timezone", "Europe/Berlin")); // preferences win
            String newYork = server.subscribe("nina", push.endpoint("/ny").toString(), UserAgentKeys.generate(),
                    Map.of("timezone", "America/New_York"));
            String utc = server.subscribe("uma", push.endpoint("/utc").toString(), UserAgentKeys.generate());

            String id = server.send(Map.of("all", true), "good morning", Map.of("category", "news", "sendAtLocal", "09:00", "ttl", 3600));
            Eventually.until("fanned out", () -> server.count(id, "targeted") == 4);
            Map<String, Map<String, Object>> rows = server.deliveries(id);
            assertThat(rows.get(newYork)).containsEntry("next_at", Instant.parse("2026-11-23T14:00:00Z"));
            assertThat(rows.get(utc)).containsEntry("next_at", Instant.parse("2026-11-24T09:00:00Z"));
            assertThat(rows.get(berlin)).containsEntry("next_at", Instant.parse("2026-11-24T08:00:00Z"));
            assertThat(rows.get(tokyo)).containsEntry("next_at", Instant.parse("2026-11-24T00:00:00Z"));

            server.advanceTo(Instant.parse("2026-11-23T14:00:00Z"));
            Eventually.until("New York at 09:00 EST", () -> server.count(id, "sent") == 1);
            assertThat(push.received.get(0).path()).isEqualTo("/ny");
            assertThat(push.received.get(0).headers().get("ttl")).as("its TTL starts at its own local time").isEqualTo("3600");
            server.advanceTo(Instant.parse("2026-11-24T00:00:00Z"));
            Eventually.until("Tokyo at 09:00 JST", () -> server.count(id, "sent") == 2);
            server.advanceTo(Instant.parse("2026-11-24T08:00:00Z"));
            Eventually.until("Berlin at 09:00 CET", () -> server.count(id, "sent") == 3);
            server.advanceTo(Instant.parse("2026-11-24T09:00:00Z"));
            Eventually.until("UTC at 09:00", () -> server.count(id, "sent") == 4);
            assertThat(push.received.stream().map(ScriptedPushService.Received::path).toList())
                    .containsExactly("/ny", "/tokyo", "/berlin", "/utc");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void topicAndTagAudiencesReachExactlyTheirDevices(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = server(backend, "0")) {
            server.subscribe("ann", push.endpoint("/ann").toString(), UserAgentKeys.generate(),
                    Map.of("topics", List.of("football"), "tags", Map.of("plan", "pro")));
            String ben = server.subscribe("ben", push.endpoint("/ben").toString(), UserAgentKeys.generate());
            String cat = server.subscribe("cat", push.endpoint("/cat").toString(), UserAgentKeys.generate(),
                    Map.of("topics", List.of("football")));
            server.subscribe("dan", push.endpoint("/dan/1").toString(), UserAgentKeys.generate(), Map.of("tags", Map.of("plan", "free")));
            server.subscribe("dan", push.endpoint("/dan/2").toString(), UserAgentKeys.generate());
            server.subscribe("eve", push.endpoint("/eve").toString(), UserAgentKeys.generate());

            Api.Response joined = server.api.post("/api/v1/subscriptions/" + ben + "/topics/football", server.userToken("ben"), "");
            assertThat(joined.json().get("topics").toString()).isEqualTo("[\"football\"]");
            assertThat(server.api.delete("/api/v1/subscriptions/" + cat + "/topics/football", server.userToken("cat")).status())
                    .isEqualTo(200);
            assertThat(server.api.post("/api/v1/subscriptions/" + cat + "/topics/football", server.userToken("eve"), "").status())
                    .as("not eve's subscription").isEqualTo(404);
            server.api.put(PREFS, server.userToken("dan"), Map.of("topics", List.of("football"))); // both of dan's devices
            server.api.put("/api/v1/subscriptions/" + ben + "/tags", server.userToken("ben"), Map.of("tags", Map.of("plan", "pro")));

            String football = server.send(Map.of("topic", "football"), "goal!", Map.of());
            Eventually.until("football", () -> server.count(football, "sent") == 4);
            String pro = server.send(Map.of("tags", Map.of("plan", "pro")), "pro tip", Map.of());
            Eventually.until("pro", () -> server.count(pro, "sent") == 2);
            String notAnn = server.send(Map.of("topic", "football", "exceptUserIds", List.of("ann")), "not for ann", Map.of());
            Eventually.until("notAnn", () -> server.count(notAnn, "sent") == 3);

            List<String> paths = push.received.stream().map(ScriptedPushService.Received::path).sorted().toList();
            assertThat(paths).containsExactly("/ann", "/ann", "/ben", "/ben", "/ben", "/dan/1", "/dan/1", "/dan/2", "/dan/2");
            JsonNode view = server.notification(football);
            assertThat(view.get("audience").toString()).isEqualTo("{\"topic\":\"football\"}");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void scheduledNotificationSurvivesARestartAndIsSentOnce(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = server(backend, "0")) {
            server.subscribe("ann", push.endpoint("/ann").toString(), UserAgentKeys.generate());
            String id = server.send(Map.of("all", true), "later", Map.of("sendAt", "2026-11-23T12:00:00Z"));
            assertThat(server.notification(id).get("status").asText()).isEqualTo("scheduled");

            server.restart();
            server.advanceTo(Instant.parse("2026-11-23T12:00:00Z"));
            Eventually.until("sent after the restart", () -> server.count(id, "sent") == 1);
            server.restart();
            server.advance(Duration.ofHours(2));
            barrier(server, "ann");
            assertThat(push.received.stream().filter(r -> r.path().equals("/ann")).count()).as("once, plus the barrier").isEqualTo(2);
            assertThat(server.count(id, "targeted")).isEqualTo(1);
        }
    }
}
