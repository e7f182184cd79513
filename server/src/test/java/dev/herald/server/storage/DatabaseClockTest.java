package dev.herald.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Nodes sharing PostgreSQL work by the database's clock: a node whose host clock is ten minutes off reads the
 * database's time, so it neither fires a schedule early (nor claims a lease early: the same clock stamps
 * {@code lease_until} and compares with it) nor fires one late. One node on SQLite has only its own clock, which is its
 * database's: there is nothing to skew against, so these run on PostgreSQL only. Real time is the subject here, so the
 * waits are real (seconds), not a fake clock's.
 */
class DatabaseClockTest {
    private static final Duration SKEW = Duration.ofMinutes(10);

    private static TestServer node(Duration skew) {
        return new TestServer(Backend.POSTGRES, s -> s, Clock.offset(Clock.systemUTC(), skew));
    }

    private static long databaseNow(TestServer server) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery(
                "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)").mapTo(Long.class).one());
    }

    @Test
    void aNodeWhoseClockIsTenMinutesOffReadsTheDatabasesTime() {
        for (Duration skew : new Duration[] {SKEW, SKEW.negated()}) {
            try (TestServer server = node(skew)) {
                long drift = server.app.clock().millis() - databaseNow(server);
                assertThat(Math.abs(drift)).as("host off by %s", skew).isLessThan(1_000);
            }
        }
    }

    @Test
    void aNodeAheadDoesNotFireAScheduleEarly() throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = node(SKEW)) {
            server.subscribe("ada", push.endpoint("/p/ada").toString(), UserAgentKeys.generate());
            Instant inFiveMinutes = Instant.ofEpochMilli(databaseNow(server)).plus(Duration.ofMinutes(5));
            String id = server.send(Map.of("userIds", java.util.List.of("ada")), "later", Map.of("sendAt", inFiveMinutes.toString()));

            server.app.wakeDelivery();
            Thread.sleep(2_000); // real time: by its own clock this node is five minutes past the schedule
            assertThat(server.count(id, "targeted")).as("not fanned out").isZero();
        }
    }

    @Test
    void aNodeBehindDoesNotFireAScheduleLate() throws Exception {
        try (ScriptedPushService push = new ScriptedPushService(); TestServer server = node(SKEW.negated())) {
            server.subscribe("ada", push.endpoint("/p/ada").toString(), UserAgentKeys.generate());
            Instant soon = Instant.ofEpochMilli(databaseNow(server)).plus(Duration.ofSeconds(2));
            String id = server.send(Map.of("userIds", java.util.List.of("ada")), "soon", Map.of("sendAt", soon.toString()));

            // By its own clock the schedule is ten minutes away; by the database's, two seconds.
            Eventually.until("fanned out within seconds of its time", Duration.ofSeconds(20),
                    () -> server.count(id, "targeted") == 1, () -> server.notification(id));
        }
    }
}
