package dev.herald.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.config.Option;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The embedded push service's rate limits: new user agents per address, registrations, messages per endpoint. */
class PushLimitsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> push(String endpoint, int ttl, byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint)).header("TTL", Integer.toString(ttl))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void newUserAgentsPerForwardedAddressAreLimitedAndKnownOnesAlwaysResume() throws Exception {
        try (TestServer server = new TestServer(Backend.SQLITE, s -> s.with(Option.RATE_LIMIT_PUSH_HELLO, "address:2/1h")
                .with(Option.TRUSTED_PROXIES, "127.0.0.1"))) {
            Map<String, String> client = Map.of("X-Forwarded-For", "198.51.100.7");
            String first;
            try (UserAgentClient a = new UserAgentClient(server.app.port(), client);
                    UserAgentClient b = new UserAgentClient(server.app.port(), client)) {
                first = a.hello(null);
                b.hello(null);
            }
            try (UserAgentClient c = new UserAgentClient(server.app.port(), client)) {
                c.send("{\"messageType\":\"hello\",\"use_webpush\":true}");
                assertThat(c.closedWith()).startsWith("4429 rate-limited");
            }
            try (UserAgentClient resumed = new UserAgentClient(server.app.port(), client)) {
                assertThat(resumed.hello(first)).as("a known uaid is not a new user agent").isEqualTo(first);
            }
            try (UserAgentClient other = new UserAgentClient(server.app.port(), Map.of("X-Forwarded-For", "198.51.100.8"))) {
                assertThat(other.hello(null)).as("another client behind the proxy").isNotEqualTo(first);
            }
            server.clock.advance(Duration.ofMinutes(30));
            try (UserAgentClient later = new UserAgentClient(server.app.port(), client)) {
                assertThat(later.hello(null)).matches("[0-9a-f]{32}");
            }
        }
    }

    @Test
    void registrationsPerUserAgentAndMessagesPerEndpoint() throws Exception {
        try (TestServer server = new TestServer(Backend.SQLITE, s -> s.with(Option.RATE_LIMIT_PUSH_REGISTER, "agent:2/1h")
                .with(Option.RATE_LIMIT_PUSH_MESSAGES, "endpoint:3/1m"));
                UserAgentClient ua = new UserAgentClient(server.app.port())) {
            ua.hello(null);
            String channel = UUID.randomUUID().toString();
            String endpoint = ua.register(channel, null).get("pushEndpoint").asText();
            String other = ua.register(UUID.randomUUID().toString(), null).get("pushEndpoint").asText();
            JsonNode third = ua.register(UUID.randomUUID().toString(), null);
            assertThat(third.get("status").asInt()).isEqualTo(429);
            assertThat(third.get("error").asText()).startsWith("rate-limited");
            assertThat(ua.register(channel, null).get("status").asInt()).as("re-registering a known channel is free").isEqualTo(200);

            for (int i = 0; i < 3; i++) {
                assertThat(push(endpoint, 60, new byte[0], Map.of()).statusCode()).isEqualTo(201);
            }
            HttpResponse<String> refused = push(endpoint, 60, new byte[0], Map.of());
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.body()).contains("\"code\":\"rate-limited\"");
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("20");
            assertThat(push(other, 60, new byte[0], Map.of()).statusCode()).as("each endpoint has its own bucket").isEqualTo(201);
            server.clock.advance(Duration.ofSeconds(20));
            assertThat(push(endpoint, 60, new byte[0], Map.of()).statusCode()).isEqualTo(201);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Backend.class)
    void twoHundredConcurrentPushesToAnOfflineAgentStoreExactlyTheHundredItMayHold(Backend backend) throws Exception {
        try (TestServer server = new TestServer(backend, s -> s.with(Option.RATE_LIMIT_PUSH_MESSAGES, "off"));
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(50)) {
            String endpoint;
            try (UserAgentClient ua = new UserAgentClient(server.app.port())) {
                ua.hello(null);
                endpoint = ua.register(UUID.randomUUID().toString(), null).get("pushEndpoint").asText();
            }
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return push(endpoint, 3600, new byte[0], Map.of()).statusCode();
                }));
            }
            go.countDown();
            int accepted = 0;
            for (java.util.concurrent.Future<Integer> a : answers) {
                int status = a.get();
                assertThat(status).isIn(201, 429);
                accepted += status == 201 ? 1 : 0;
            }
            int stored = server.app.database().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM push_messages")
                    .mapTo(Integer.class).one());
            assertThat(accepted).isEqualTo(100);
            assertThat(stored).isEqualTo(100);
        }
    }
}
