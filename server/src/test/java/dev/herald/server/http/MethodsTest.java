package dev.herald.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.server.config.Option;
import dev.herald.server.testing.Backend;
import dev.herald.server.testing.TestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A known path with another method is 405 with {@code Allow}; OPTIONS answers with {@code Allow}; CORS preflights still work. */
class MethodsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(Backend.SQLITE, s -> s.with(Option.CORS_ORIGINS, "https://app.example.com"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.app.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Set<String> allow(HttpResponse<String> r) {
        return new TreeSet<>(Arrays.stream(r.headers().firstValue("Allow").orElse("").split(",")).map(String::strip)
                .filter(m -> !m.isEmpty()).toList());
    }

    @Test
    void aWrongMethodOnAnExistingRouteIs405WithAllow() throws Exception {
        record Case(String method, String path, Set<String> allowed) {}
        for (Case c : new Case[] {
                new Case("DELETE", "/api/v1/config", Set.of("GET", "OPTIONS")),
                new Case("PUT", "/api/v1/notifications", Set.of("POST", "OPTIONS")),
                new Case("PATCH", "/api/v1/notifications/01ARZ3NDEKTSV4RRFFQ69G5FAV", Set.of("GET", "DELETE", "OPTIONS")),
                new Case("GET", "/api/v1/sync/posts/mutations", Set.of("POST", "OPTIONS")),
                new Case("POST", "/api/v1/me/preferences/", Set.of("GET", "PUT", "OPTIONS")),
                new Case("POST", "/healthz", Set.of("GET", "OPTIONS"))}) {
            HttpResponse<String> r = send(c.method(), c.path());

            assertThat(r.statusCode()).as(c + " " + r.body()).isEqualTo(405);
            assertThat(r.body()).as(c.toString()).contains("\"code\":\"method-not-allowed\"");
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(allow(r)).as(c.toString()).isEqualTo(c.allowed());
        }
        HttpResponse<String> unknown = send("DELETE", "/api/v1/nothing-here");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("\"code\":\"route-not-found\"");
        assertThat(unknown.headers().firstValue("Allow")).isEmpty();
    }

    @Test
    void optionsOnARouteAnswersAllowAndCorsPreflightsStillWork() throws Exception {
        HttpResponse<String> options = send("OPTIONS", "/api/v1/subscriptions");
        assertThat(options.statusCode()).isEqualTo(200);
        assertThat(allow(options)).isEqualTo(Set.of("POST", "OPTIONS"));

        HttpResponse<String> preflight = send("OPTIONS", "/api/v1/subscriptions", "Origin", "https://app.example.com",
                "Access-Control-Request-Method", "POST");
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow()).contains("POST");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example.com");

        HttpResponse<String> unknown = send("OPTIONS", "/api/v1/nothing-here");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("\"code\":\"route-not-found\"");
    }

    @Test
    void optionsStarIsAnsweredWithEveryMethodTheServerServes() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.app.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);

            assertThat(response).startsWith("HTTP/1.1 200");
            String allow = response.lines().filter(l -> l.regionMatches(true, 0, "Allow:", 0, 6)).findFirst().orElse("");
            assertThat(allow).contains("GET").contains("POST").contains("PUT").contains("DELETE").contains("OPTIONS");
        }
    }
}
