package dev.herald.server.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A user agent speaking the autopush protocol over the JDK's WebSocket client, as Firefox does. */
final class UserAgentClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    final WebSocket ws;

    UserAgentClient(int port) {
        this(port, java.util.Map.of());
    }

    /** With extra headers on the upgrade request (X-Forwarded-For, as a reverse proxy would add). */
    UserAgentClient(int port, java.util.Map<String, String> headers) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("push-notification")
                .connectTimeout(Duration.ofSeconds(5));
        headers.forEach(builder::header);
        ws = builder
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/wpush/connect"), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            try {
                                inbox.add(JSON.readTree(partial.toString()));
                            } catch (java.io.IOException e) {
                                throw new IllegalStateException(e);
                            }
                            partial.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                        closed.complete(code + " " + reason);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket w, Throwable error) {
                        closed.complete("error " + error);
                    }
                }).join();
    }

    void send(String json) {
        ws.sendText(json, true).join();
    }

    void sendBinary() {
        ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).join();
    }

    /** The next message from the server (waits for it, at most 10 s). */
    JsonNode next() throws InterruptedException {
        JsonNode m = inbox.poll(10, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message from the push service within 10 s");
        }
        return m;
    }

    /** A ping round trip: every frame the server sent before the pong has arrived; returns them. */
    java.util.List<JsonNode> drain() throws InterruptedException {
        send("{}");
        java.util.List<JsonNode> before = new java.util.ArrayList<>();
        for (JsonNode m = next(); !m.isEmpty(); m = next()) {
            before.add(m);
        }
        return before;
    }

    String hello(String uaid) throws InterruptedException {
        send(uaid == null ? "{\"messageType\":\"hello\",\"use_webpush\":true}"
                : "{\"messageType\":\"hello\",\"use_webpush\":true,\"uaid\":\"" + uaid + "\",\"broadcasts\":{}}");
        JsonNode reply = next();
        if (!reply.path("messageType").asText().equals("hello") || reply.path("status").asInt() != 200) {
            throw new AssertionError("hello failed: " + reply);
        }
        return reply.get("uaid").asText();
    }

    JsonNode register(String channelId, String key) throws InterruptedException {
        send("{\"messageType\":\"register\",\"channelID\":\"" + channelId + "\"" + (key == null ? "" : ",\"key\":\"" + key + "\"") + "}");
        return next();
    }

    void ack(JsonNode notification) {
        send("{\"messageType\":\"ack\",\"updates\":[{\"channelID\":\"" + notification.get("channelID").asText() + "\",\"version\":\""
                + notification.get("version").asText() + "\",\"code\":100}]}");
    }

    String closedWith() throws Exception {
        return closed.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        ws.abort();
    }
}
