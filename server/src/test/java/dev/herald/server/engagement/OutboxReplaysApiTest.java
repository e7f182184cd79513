package dev.herald.server.engagement;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.auth.Scope;
import dev.herald.server.config.Option;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The SDK's outbox reports its replays per device; the console's device timeline shows them; retention prunes them. */
class OutboxReplaysApiTest {

    private static Map<String, Object> replay(String mutationId, int attempt, String outcome, String at) {
        return new HashMap<>(Map.of("mutationId", mutationId, "attempt", attempt, "outcome", outcome, "at", at));
    }

    private static Api.Response report(TestServer server, String bearer, String device, List<?> replays) {
        return server.api.post("/api/v1/subscriptions/" + device + "/replays", bearer, Map.of("replays", replays));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void replaysAreRecordedOncePerAttemptAndShownInTheDeviceTimeline(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            String device = server.subscribe("ann", push.endpoint("/ann").toString(), UserAgentKeys.generate());
            server.advance(Duration.ofMinutes(5));
            String ann = server.userToken("ann");
            String now = server.clock.instant().toString();
            Map<String, Object> offline = replay("m-1", 1, "network-error", server.clock.instant().minusSeconds(60).toString());
            offline.put("method", "POST");
            offline.put("path", "/api/v1/sync/posts/mutations");
            Map<String, Object> sent = replay("m-1", 2, "sent", now);
            sent.putAll(Map.of("status", 200, "method", "POST", "path", "/api/v1/sync/posts/mutations?token=secret"));
            Api.Response first = report(server, ann, device, List.of(offline, sent));
            assertThat(first.status()).as(first.toString()).isEqualTo(202);
            assertThat(first.json().get("recorded").asInt()).isEqualTo(2);
            Api.Response repeat = report(server, ann, device, List.of(sent));
            assertThat(repeat.status()).isEqualTo(200);
            assertThat(repeat.json().get("recorded").asInt()).as("a repeated report is ignored").isZero();

            String admin = server.app.apiKeys().create("ops", EnumSet.of(Scope.ADMIN)).key();
            JsonNode timeline = server.api.get("/api/v1/admin/devices/" + device, admin).json().get("timeline");
            assertThat(timeline).extracting(e -> e.get("kind").asText()).containsExactly("replay", "replay", "subscribed");
            JsonNode latest = timeline.get(0);
            assertThat(latest.get("mutationId").asText()).isEqualTo("m-1");
            assertThat(latest.get("attempt").asInt()).isEqualTo(2);
            assertThat(latest.get("outcome").asText()).isEqualTo("sent");
            assertThat(latest.get("status").asInt()).isEqualTo(200);
            assertThat(latest.get("path").asText()).as("the query is not kept").isEqualTo("/api/v1/sync/posts/mutations");
            assertThat(timeline.get(1).get("outcome").asText()).isEqualTo("network-error");
            assertThat(timeline.get(1).get("status").isNull()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void reportsAreValidatedAndOnlyTheOwnerMayReport(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = new TestServer(backend)) {
            String device = server.subscribe("ann", push.endpoint("/ann").toString(), UserAgentKeys.generate());
            String ann = server.userToken("ann");
            String now = server.clock.instant().toString();
            List<Map<String, Object>> ok = List.of(replay("m-1", 1, "sent", now));

            assertThat(report(server, null, device, ok).status()).isEqualTo(401);
            assertThat(report(server, server.key, device, ok).status()).as("an API key is not a browser").isEqualTo(403);
            Api.Response stranger = report(server, server.userToken("ben"), device, ok);
            assertThat(stranger.status()).isEqualTo(404);
            assertThat(stranger.contentType()).startsWith("application/problem+json");
            assertThat(report(server, ann, "not-an-id", ok).status()).isEqualTo(404);

            Map<String, Object> badOutcome = replay("m-1", 1, "exploded", now);
            assertInvalid(report(server, ann, device, List.of(badOutcome)), "replays[0].outcome");
            Map<String, Object> unknown = replay("m-1", 1, "sent", now);
            unknown.put("password", "x");
            assertInvalid(report(server, ann, device, List.of(unknown)), "replays[0].password");
            assertInvalid(report(server, ann, device, List.of(replay("m 1", 1, "sent", now))), "replays[0].mutationId");
            assertInvalid(report(server, ann, device, List.of(replay("m-1", -1, "sent", now))), "replays[0].attempt");
            assertInvalid(report(server, ann, device, List.of(replay("m-1", 1, "sent", "yesterday"))), "replays[0].at");
            String old = server.clock.instant().minus(Duration.ofDays(31)).toString();
            assertInvalid(report(server, ann, device, List.of(replay("m-1", 1, "sent", old))), "replays[0].at");
            Map<String, Object> badStatus = replay("m-1", 1, "sent", now);
            badStatus.put("status", 99);
            assertInvalid(report(server, ann, device, List.of(badStatus)), "replays[0].status");
            Map<String, Object> badPath = replay("m-1", 1, "sent", now);
            badPath.put("path", "https://elsewhere.example/x");
            assertInvalid(report(server, ann, device, List.of(badPath)), "replays[0].path");
            Map<String, Object> badMethod = replay("m-1", 1, "sent", now);
            badMethod.put("method", "post\n");
            assertInvalid(report(server, ann, device, List.of(badMethod)), "replays[0].method");
            assertInvalid(report(server, ann, device, List.of()), "replays");
            assertInvalid(report(server, ann, device, List.of("sent")), "replays[0]");
            List<Map<String, Object>> tooMany = new ArrayList<>();
            for (int i = 0; i < ReplayRoutes.MAX_REPLAYS + 1; i++) {
                tooMany.add(replay("m-" + i, 1, "sent", now));
            }
            assertInvalid(report(server, ann, device, tooMany), "replays");
            Api.Response malformed = server.api.postRaw("/api/v1/subscriptions/" + device + "/replays", ann, "application/json",
                    "{\"replays\": [".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(malformed.status()).isEqualTo(400);
            assertThat(malformed.json().get("code").asText()).isEqualTo("malformed-json");
            assertThat(replays(server)).as("nothing refused was stored").isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void replaysArePrunedAfterTheEventRetention(Backend backend) throws Exception {
        try (ScriptedPushService push = new ScriptedPushService();
                TestServer server = new TestServer(backend, s -> s.with(Option.EVENT_RETENTION, Long.toString(Duration.ofDays(1).toSeconds())))) {
            String device = server.subscribe("ann", push.endpoint("/ann").toString(), UserAgentKeys.generate());
            String ann = server.userToken("ann");
            assertThat(report(server, ann, device, List.of(replay("m-1", 1, "sent", server.clock.instant().toString()))).status())
                    .isEqualTo(202);
            server.runMaintenanceAt(server.clock.instant().plus(Duration.ofHours(23)));
            assertThat(replays(server)).as("kept within the retention").isEqualTo(1);
            server.runMaintenanceAt(server.clock.instant().plus(Duration.ofHours(2)));
            assertThat(replays(server)).as("pruned after it").isZero();
        }
    }

    private static int replays(TestServer server) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM outbox_replays").mapTo(Integer.class).one());
    }

    private static void assertInvalid(Api.Response r, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("field").asText()).as(r.toString()).isEqualTo(field);
    }
}
