package dev.herald.server.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.config.Option;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.Eventually;
import dev.herald.server.testing.TestServer;
import dev.herald.webpush.UserAgentKeys;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A configured push host whose DNS someone else controls passes the policy at subscribe time and later resolves to
 * a private address: the engine checks the host again right before each send and refuses it then.
 */
class DnsRebindingTest {
    @Test
    void aPushHostThatNowResolvesToAPrivateAddressIsNotSentToAndTheSubscriptionIsKept() throws Exception {
        try (TestServer server = new TestServer(Backend.SQLITE, s -> s.with(Option.ALLOW_PRIVATE_ENDPOINTS, "false")
                .with(Option.PUSH_HOSTS, "push.rebind.example"))) {
            server.dns.put("push.rebind.example", InetAddress.getByAddress("push.rebind.example", new byte[] {(byte) 142, (byte) 250, 1, 2}));
            String subscription = server.subscribe("ada", "https://push.rebind.example/p/1", UserAgentKeys.generate());
            server.dns.put("push.rebind.example", InetAddress.getByAddress("push.rebind.example", new byte[] {10, 0, 0, 7}));

            String id = server.send(Map.of("userIds", List.of("ada")), "hello", Map.of());

            Eventually.until("the delivery refused", Duration.ofSeconds(15),
                    () -> "failed".equals(server.deliveries(id).getOrDefault(subscription, Map.of()).get("state")),
                    () -> server.deliveries(id));
            assertThat((String) server.deliveries(id).get(subscription).get("last_error"))
                    .contains("push.rebind.example").contains("private or local address");
            long kept = server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM subscriptions WHERE id = ?")
                    .bind(0, subscription).mapTo(Long.class).one());
            assertThat(kept).as("a refusal on our side is not the subscription's fault").isEqualTo(1);
            assertThat(server.notification(id).at("/counts/failed").asInt()).isEqualTo(1);
        }
    }
}
