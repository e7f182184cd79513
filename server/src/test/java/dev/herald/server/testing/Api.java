package dev.herald.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A small HTTP client for a test server: JSON in, status + headers + parsed JSON out. */
public final class Api {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public Api(String base) {
        this.base = base;
    }

    public record Response(int status, HttpHeaders headers, String text) {
        public JsonNode json() {
            try {
                return text.isEmpty() ? JSON.nullNode() : JSON.readTree(text);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + text, e);
            }
        }

        public String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }

        @Override
        public String toString() {
            return status + " " + text;
        }
    }

    public Response get(String path, String bearer) {
        return send(builder(path, bearer).GET());
    }

    public Response delete(String path, String bearer) {
        return send(builder(path, bearer).DELETE());
    }

    public Response delete(String path, String bearer, Map<String, String> headers) {
        HttpRequest.Builder b = builder(path, bearer).DELETE();
        headers.forEach(b::header);
        return send(b);
    }

    public Response post(String path, String bearer, Object json) {
        String body = json instanceof String s ? s : write(json);
        return send(builder(path, bearer).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Response put(String path, String bearer, Object json) {
        String body = json instanceof String s ? s : write(json);
        return send(builder(path, bearer).header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    public Response post(String path, String bearer, Object json, Map<String, String> headers) {
        String body = json instanceof String s ? s : write(json);
        HttpRequest.Builder b = builder(path, bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return send(b);
    }

    public Response get(String path, String bearer, Map<String, String> headers) {
        HttpRequest.Builder b = builder(path, bearer).GET();
        headers.forEach(b::header);
        return send(b);
    }

    public Response postRaw(String path, String bearer, String contentType, byte[] body) {
        HttpRequest.Builder b = builder(path, bearer).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b);
    }

    private HttpRequest.Builder builder(String path, String bearer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return b;
    }

    private Response send(HttpRequest.Builder b) {
        HttpRequest request = b.build();
        try {
            HttpResponse<String> r;
            try {
                r = http.send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException closed) {
                // The server closes the connection after answering a malformed request; a pooled connection the
                // client picked just then yields no bytes. One more try on a fresh connection tells the two apart.
                r = http.send(request, HttpResponse.BodyHandlers.ofString());
            }
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
