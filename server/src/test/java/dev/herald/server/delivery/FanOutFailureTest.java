package dev.herald.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A notification whose fan-out keeps failing ends failed with its reason, instead of being retried forever. */
class FanOutFailureTest {
    private static long leaseUntil(TestServer server, String id) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT lease_until FROM notifications WHERE id = ?")
                .bind(0, id).mapTo(Long.class).one());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aFanOutThatFailsFiveTimesEndsFailedWithItsReason(Backend backend) {
        try (TestServer server = new TestServer(backend)) {
            Instant sendAt = server.clock.instant().plus(Duration.ofHours(1));
            String id = server.send(Map.of("all", true), "doomed", Map.of("sendAt", sendAt.toString()));
            // an audience the fan-out cannot read (a row written by an older version, or damaged by hand)
            server.app.database().jdbi().useHandle(h -> h.createUpdate("UPDATE notifications SET audience = ? WHERE id = ?")
                    .bind(0, "{\"bogus\": true}").bind(1, id).execute());
            server.advanceTo(sendAt);

            for (int attempt = 1; attempt <= 7; attempt++) {
                long before = server.clock.millis();
                Eventually.until("fan-out attempt " + attempt, Duration.ofSeconds(10),
                        () -> leaseUntil(server, id) > before || !server.notification(id).get("status").asText().equals("fanning-out"),
                        () -> server.notification(id));
                server.advance(Duration.ofSeconds(31)); // past the 30 s delivery lease: the next attempt may claim it
            }

            JsonNode n = server.notification(id);
            assertThat(n.get("status").asText()).as(n.toString()).isEqualTo("failed");
            assertThat(n.get("lastError").asText()).contains("fan-out failed").contains("bogus");
            int failures = server.app.database().jdbi().withHandle(h -> h.createQuery(
                    "SELECT fanout_failures FROM notifications WHERE id = ?").bind(0, id).mapTo(Integer.class).one());
            assertThat(failures).as("no attempt after giving up").isEqualTo(DeliveryEngine.MAX_FANOUT_FAILURES);
        }
    }
}
