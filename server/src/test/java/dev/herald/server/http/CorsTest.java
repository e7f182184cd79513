package dev.herald.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.config.Option;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** A PWA on another origin may call the API when its origin is configured, and only then. */
class CorsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static HttpResponse<String> send(TestServer server, String method, String path, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.app.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).header("Origin", origin);
        if (method.equals("OPTIONS")) {
            b.header("Access-Control-Request-Method", "POST").header("Access-Control-Request-Headers", "authorization,idempotency-key");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void configuredOriginsGetPreflightAndHeadersOthersDoNot() throws Exception {
        try (TestServer server = new TestServer(Backend.SQLITE, s -> s.with(Option.CORS_ORIGINS, "https://app.example.com"))) {
            HttpResponse<String> preflight = send(server, "OPTIONS", "/api/v1/subscriptions", "https://app.example.com");
            assertThat(preflight.statusCode()).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example.com");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
                    .contains("Authorization").contains("Idempotency-Key");
            HttpResponse<String> get = send(server, "GET", "/api/v1/config", "https://app.example.com");
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example.com");
            assertThat(get.headers().firstValue("Access-Control-Expose-Headers").orElseThrow()).contains("Location");

            HttpResponse<String> stranger = send(server, "OPTIONS", "/api/v1/subscriptions", "https://evil.example");
            assertThat(stranger.statusCode()).isEqualTo(403);
            assertThat(stranger.body()).contains("\"code\":\"forbidden\"");
            assertThat(send(server, "GET", "/api/v1/config", "https://evil.example").headers().firstValue("Access-Control-Allow-Origin"))
                    .isEmpty();
        }
        try (TestServer server = new TestServer(Backend.SQLITE)) {
            assertThat(send(server, "GET", "/api/v1/config", "https://app.example.com").headers()
                    .firstValue("Access-Control-Allow-Origin")).as("off by default").isEmpty();
        }
    }
}
