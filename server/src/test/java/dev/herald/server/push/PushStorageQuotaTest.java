package dev.herald.server.push;

import static dev.herald.server.push.PushLimitsTest.push;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.config.Option;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The embedded push service's stored bytes: per user agent, and in all (kept in step by every delete path). */
class PushStorageQuotaTest {
    private static final Map<String, String> AES128GCM = Map.of("Content-Encoding", "aes128gcm");
    private static final byte[] BODY = new byte[3000]; // stored as 4,000 base64url characters

    private static String endpoint(TestServer server) throws Exception {
        try (UserAgentClient ua = new UserAgentClient(server.app.port())) {
            ua.hello(null);
            return ua.register(UUID.randomUUID().toString(), null).get("pushEndpoint").asText();
        }
    }

    private static long storedBytes(TestServer server) {
        return server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT SUM(bytes) FROM push_usage")
                .mapTo(Long.class).one());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void bytesPerAgentAndInAllAreBoundedAndFreedByCancelAndTopicReplacement(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.RATE_LIMIT_PUSH_MESSAGES, "off")
                .with(Option.PUSH_MAX_BYTES_PER_AGENT, "10000").with(Option.PUSH_MAX_STORED_BYTES, "65536"))) {
            String first = endpoint(server);
            assertThat(push(first, 3600, BODY, AES128GCM).statusCode()).isEqualTo(201);
            assertThat(push(first, 3600, BODY, AES128GCM).statusCode()).isEqualTo(201);
            HttpResponse<String> third = push(first, 3600, BODY, AES128GCM);
            assertThat(third.statusCode()).as("12,000 bytes would pass the agent's 10,000").isEqualTo(429);
            assertThat(third.body()).contains("push-too-many-messages");
            assertThat(storedBytes(server)).isEqualTo(8000);

            // a topic replaces the stored message of that topic: what it held is given back
            Map<String, String> topic = Map.of("Content-Encoding", "aes128gcm", "Topic", "inbox");
            assertThat(push(first, 3600, BODY, topic).statusCode()).isEqualTo(429);
            String second = endpoint(server);
            assertThat(push(second, 3600, BODY, topic).statusCode()).isEqualTo(201);
            HttpResponse<String> replacing = push(second, 3600, BODY, topic);
            assertThat(replacing.statusCode()).isEqualTo(201);
            String location = replacing.headers().firstValue("Location").orElseThrow();
            assertThat(storedBytes(server)).isEqualTo(12000);

            // fill the service: 65,536 bytes hold 16 messages of 4,000
            int stored = 3;
            while (stored < 16) {
                assertThat(push(endpoint(server), 3600, BODY, AES128GCM).statusCode()).isEqualTo(201);
                stored++;
            }
            HttpResponse<String> full = push(endpoint(server), 3600, BODY, AES128GCM);
            assertThat(full.statusCode()).isEqualTo(507);
            assertThat(full.body()).contains("push-storage-full");
            assertThat(storedBytes(server)).isEqualTo(64000);

            // cancelling a message frees its room
            var cancel = java.net.http.HttpRequest.newBuilder(java.net.URI.create(location)).DELETE().build();
            assertThat(java.net.http.HttpClient.newHttpClient().send(cancel, HttpResponse.BodyHandlers.discarding()).statusCode())
                    .isEqualTo(204);
            assertThat(storedBytes(server)).isEqualTo(60000);
            assertThat(push(endpoint(server), 3600, BODY, AES128GCM).statusCode()).isEqualTo(201);
            long rows = server.app.database().jdbi().withHandle(h -> h.createQuery(
                    "SELECT COALESCE(SUM(LENGTH(data)), 0) FROM push_messages").mapTo(Long.class).one());
            assertThat(storedBytes(server)).as("the total matches the rows").isEqualTo(rows);
        }
    }
}
