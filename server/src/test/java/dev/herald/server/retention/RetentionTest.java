package dev.herald.server.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.config.Option;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Pruning keeps the statistics: what /api/v1/stats answered before, it answers after the raw rows are gone. */
class RetentionTest {
    private static final Instant DAY1 = Instant.parse("2026-11-23T00:00:00Z");
    private static final Duration DAY = Duration.ofDays(1);

    /**
     * Notifications over three days with sent, gone and engaged deliveries, plus two unfinished ones: one still to
     * fan out, one whose delivery is queued for a later local time.
     */
    private record Scenario(List<String> finished, String scheduled, String queued) {}

    private static Scenario traffic(TestServer server, ScriptedPushService push) {
        push.respond(ex -> switch (ex.getRequestURI().getPath()) {
            case "/cat" -> new ScriptedPushService.Reply(410, Map.of(), "");
            default -> new ScriptedPushService.Reply(201, Map.of("Location", "/m/1"), "");
        });
        for (String user : List.of("ann", "ben", "cat")) {
            server.subscribe(user, push.endpoint("/" + user).toString(), UserAgentKeys.generate());
        }
        String n1 = server.send(Map.of("all", true), "one", Map.of("category", "news"));
        Eventually.until("n1 settled", () -> server.count(n1, "sent") == 2 && server.count(n1, "gone") == 1);
        event(server, "ann", n1, "shown");
        event(server, "ann", n1, "clicked");
        event(server, "ben", n1, "closed");

        server.advanceTo(DAY1.plus(Duration.ofHours(18)));
        String n2 = server.send(Map.of("userIds", List.of("ben")), "two", Map.of("category", "promo"));
        Eventually.until("n2 sent", () -> server.count(n2, "sent") == 1);
        event(server, "ben", n2, "shown");
        String scheduled = server.send(Map.of("all", true), "later", Map.of("category", "news",
                "sendAt", DAY1.plus(Duration.ofDays(300)).toString()));

        server.advanceTo(DAY1.plus(DAY).plus(Duration.ofHours(9)));
        String n4 = server.send(Map.of("all", true), "four", Map.of("category", "news"));
        Eventually.until("n4 sent", () -> server.count(n4, "sent") == 2);
        event(server, "ann", n4, "shown");

        server.advanceTo(DAY1.plus(DAY.multipliedBy(2)).plus(Duration.ofHours(9)));
        server.subscribe("dan", push.endpoint("/dan").toString(), UserAgentKeys.generate());
        String queued = server.send(Map.of("userIds", List.of("dan")), "in June", Map.of("category", "promo",
                "sendAtLocal", "2027-06-01T09:00"));
        Eventually.until("fanned out", () -> server.count(queued, "queued") == 1);
        return new Scenario(List.of(n1, n2, n4), scheduled, queued);
    }

    private static void event(TestServer server, String user, String notificationId, String type) {
        assertThat(server.api.post("/api/v1/events", server.userToken(user), Map.of("notificationId", notificationId, "type", type))
                .status()).isEqualTo(202);
    }

    /** The stats of each day alone, of all three days, and the default window, as the API renders them. */
    private static Map<String, String> stats(TestServer server) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int d = 0; d < 3; d++) {
            out.put("day " + (d + 1), window(server, DAY1.plus(DAY.multipliedBy(d)), DAY1.plus(DAY.multipliedBy(d + 1))));
        }
        out.put("three days", window(server, DAY1, DAY1.plus(DAY.multipliedBy(3))));
        return out;
    }

    private static String window(TestServer server, Instant since, Instant until) {
        return server.api.get("/api/v1/stats?since=" + since + "&until=" + until, server.key).json().get("categories").toString();
    }

    private static long rows(TestServer server, String sql) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void statsAnswerTheSameAfterFinishedNotificationsArePruned(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService();
                TestServer server = new TestServer(backend, s -> s.with(Option.CATEGORIES, "news:on,promo:on"))) {
            Scenario scenario = traffic(server, push);
            Map<String, String> before = stats(server);
            assertThat(before.get("day 1")).isEqualTo("[{\"category\":\"news\",\"notifications\":2,\"targeted\":3,\"sent\":2,"
                    + "\"suppressed\":0,\"failed\":0,\"expired\":0,\"gone\":1,\"cancelled\":0,\"delivered\":2,\"shown\":1,"
                    + "\"clicked\":1,\"closed\":1,\"clickThroughRate\":0.5},{\"category\":\"promo\",\"notifications\":1,"
                    + "\"targeted\":1,\"sent\":1,\"suppressed\":0,\"failed\":0,\"expired\":0,\"gone\":0,\"cancelled\":0,"
                    + "\"delivered\":1,\"shown\":1,\"clicked\":0,\"closed\":0,\"clickThroughRate\":0.0}]");

            server.runMaintenanceAt(DAY1.plus(Duration.ofDays(20)));
            assertThat(rows(server, "SELECT COUNT(*) FROM deliveries")).as("nothing is pruned before its time").isEqualTo(7);
            assertThat(rows(server, "SELECT COUNT(*) FROM daily_stats")).as("nor rolled up").isZero();

            server.runMaintenanceAt(DAY1.plus(Duration.ofDays(40)));
            assertThat(stats(server)).isEqualTo(before);
            for (String id : scenario.finished()) {
                assertThat(server.api.get("/api/v1/notifications/" + id, server.key).status()).isEqualTo(404);
            }
            assertThat(rows(server, "SELECT COUNT(*) FROM notification_events")).isZero();
            assertThat(rows(server, "SELECT COUNT(*) FROM deliveries")).as("only the queued one is left").isEqualTo(1);
            assertThat(server.notification(scenario.scheduled()).get("status").asText())
                    .as("a notification still to fan out is never pruned").isEqualTo("scheduled");
            assertThat(server.count(scenario.queued(), "queued")).as("one with a delivery queued for later is kept").isEqualTo(1);

            server.runMaintenanceAt(DAY1.plus(Duration.ofDays(402)));
            assertThat(rows(server, "SELECT COUNT(*) FROM daily_stats WHERE day < " + DAY1.plus(Duration.ofDays(3)).toEpochMilli()))
                    .as("daily statistics go after daily-stats-retention").isZero();
            assertThat(window(server, DAY1.plus(DAY), DAY1.plus(DAY.multipliedBy(2)))).isEqualTo("[]");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void eventsKeptShorterThanNotificationsAreRolledUpFirst(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService();
                TestServer server = new TestServer(backend, s -> s.with(Option.CATEGORIES, "news:on,promo:on")
                        .with(Option.EVENT_RETENTION, Long.toString(DAY.toSeconds())))) {
            Scenario scenario = traffic(server, push);
            Map<String, String> before = stats(server);

            server.runMaintenanceAt(DAY1.plus(Duration.ofDays(5)));
            assertThat(stats(server)).isEqualTo(before);
            assertThat(rows(server, "SELECT COUNT(*) FROM notification_events")).as("events went after a day").isZero();
            assertThat(server.notification(scenario.finished().getFirst()).at("/counts/sent").asInt())
                    .as("the notification and its deliveries stay for notification-retention").isEqualTo(2);
        }
    }
}
