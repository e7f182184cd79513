package dev.herald.server.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver on a random port that verifies each request the way the Standard Webhooks specification tells
 * receivers to (written here independently of Herald's signer), answers with a status the test sets, and can be
 * stopped and started again on the same port.
 */
final class WebhookReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request: its headers, body, whether its signature verified, and what we answered. */
    record Message(String id, long timestamp, String body, boolean signatureValid, int answered) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        /** The events in the body: itself, or a batch's {@code data.events}. */
        List<JsonNode> events() {
            JsonNode j = json();
            List<JsonNode> out = new ArrayList<>();
            if (j.path("type").asText().equals("batch")) {
                j.path("data").path("events").forEach(out::add);
            } else {
                out.add(j);
            }
            return out;
        }

        boolean ok() {
            return answered >= 200 && answered < 300;
        }
    }

    final List<Message> received = new CopyOnWriteArrayList<>();
    /** Requests in progress per webhook-id, and the most ever seen at once for one id. */
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    final AtomicInteger maxConcurrentPerId = new AtomicInteger();
    volatile int status = 204;
    private volatile String secret;
    private final int port;
    private HttpServer server;

    WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        port = server.getAddress().getPort();
        begin();
    }

    void secret(String secret) {
        this.secret = secret;
    }

    String url() {
        return "http://127.0.0.1:" + port + "/hooks/herald";
    }

    synchronized void stop() {
        server.stop(0);
    }

    synchronized void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        begin();
    }

    private void begin() {
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange ex) throws IOException {
        String id = ex.getRequestHeaders().getFirst("webhook-id");
        String ts = ex.getRequestHeaders().getFirst("webhook-timestamp");
        String signatures = ex.getRequestHeaders().getFirst("webhook-signature");
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        AtomicInteger mine = inFlight.computeIfAbsent(String.valueOf(id), k -> new AtomicInteger());
        maxConcurrentPerId.accumulateAndGet(mine.incrementAndGet(), Math::max);
        try {
            int answer = status;
            received.add(new Message(id, ts == null ? -1 : Long.parseLong(ts), body, verify(secret, id, ts, body, signatures), answer));
            ex.sendResponseHeaders(answer, -1);
        } finally {
            mine.decrementAndGet();
            ex.close();
        }
    }

    /** The specification's check: HMAC-SHA256 of "id.timestamp.body" keyed with the base64 after whsec_, any v1 entry. */
    static boolean verify(String secret, String id, String timestamp, String body, String header) {
        if (secret == null || id == null || timestamp == null || header == null || !secret.startsWith("whsec_")) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
            byte[] expected = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            for (String entry : header.split(" ")) {
                String[] parts = entry.split(",", 2);
                if (parts.length == 2 && parts[0].equals("v1")
                        && MessageDigest.isEqual(expected, Base64.getDecoder().decode(parts[1]))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    /** Events of this type in requests we answered 2xx. */
    List<JsonNode> accepted(String type) {
        return received.stream().filter(Message::ok).flatMap(m -> m.events().stream())
                .filter(e -> e.path("type").asText().equals(type)).toList();
    }

    @Override
    public void close() {
        stop();
    }
}
