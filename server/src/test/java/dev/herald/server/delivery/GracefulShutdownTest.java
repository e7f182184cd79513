package dev.herald.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.storage.Database;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.ScriptedPushService;
import dev.herald.webpush.UserAgentKeys;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Shutting down waits for deliveries in flight and records them, rather than leaving them leased. */
class GracefulShutdownTest {
    @Test
    void closeDrainsInFlightDeliveries() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedPushService push = new ScriptedPushService()) {
            push.respond(ex -> {
                release.await(30, TimeUnit.SECONDS);
                return new ScriptedPushService.Reply(201, Map.of(), "");
            });
            TestServer server = new TestServer(Backend.SQLITE);
            server.subscribe("ann", push.endpoint("/p/1").toString(), UserAgentKeys.generate());
            server.send(Map.of("all", true), "in flight at shutdown", Map.of());
            Eventually.until("in flight", () -> push.inHandler.get() == 1);
            int port = server.app.port();

            Thread closing = Thread.ofPlatform().start(server::close);
            Eventually.until("API stopped taking requests", () -> {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return false;
                } catch (java.io.IOException refused) {
                    return true;
                }
            });
            assertThat(closing.isAlive()).as("close waits for the delivery in flight").isTrue();
            release.countDown();
            closing.join(30_000);

            try (Database db = Database.open(server.settings)) {
                String state = db.jdbi().withHandle(h -> h.createQuery("SELECT state FROM deliveries").mapTo(String.class).one());
                assertThat(state).isEqualTo("sent");
            }
        } finally {
            release.countDown();
        }
    }
}
