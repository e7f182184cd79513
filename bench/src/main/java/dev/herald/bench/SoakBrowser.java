package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.http.Json;
import dev.herald.webpush.Base64Url;
import dev.herald.webpush.UserAgentKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A browser for the soak: an autopush WebSocket to Herald's embedded push service (as Firefox speaks it), one
 * channel, and the keys of its push subscription. Each notification is decrypted and acknowledged, then handed
 * to {@code onPush} with its payload.
 */
final class SoakBrowser implements AutoCloseable {
    final UserAgentKeys keys = UserAgentKeys.generate();
    final String userId;
    final String endpoint;
    String subscriptionId;
    private final WebSocket ws;
    private final LinkedBlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();

    SoakBrowser(HttpClient http, int port, String userId, Consumer<JsonNode> onPush) throws Exception {
        this.userId = userId;
        this.ws = http.newWebSocketBuilder().subprotocols("push-notification").connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/wpush/connect"), new WebSocket.Listener() {
                    private final StringBuilder partial = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            handle(w, partial.toString(), onPush);
                            partial.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText("{\"messageType\":\"hello\",\"use_webpush\":true}", true).join();
        reply("hello");
        ws.sendText("{\"messageType\":\"register\",\"channelID\":\"" + UUID.randomUUID() + "\"}", true).join();
        this.endpoint = reply("register").get("pushEndpoint").asText();
    }

    private void handle(WebSocket w, String text, Consumer<JsonNode> onPush) {
        try {
            JsonNode m = Json.MAPPER.readTree(text);
            if (!m.path("messageType").asText().equals("notification")) {
                replies.add(m);
                return;
            }
            w.sendText("{\"messageType\":\"ack\",\"updates\":[{\"channelID\":\"" + m.get("channelID").asText() + "\",\"version\":\""
                    + m.get("version").asText() + "\",\"code\":100}]}", true);
            if (m.hasNonNull("data")) {
                onPush.accept(Json.MAPPER.readTree(keys.decrypt(Base64Url.decode(m.get("data").asText(), "data"))));
            }
        } catch (Exception e) {
            System.err.println("browser " + userId + ": " + e);
        }
    }

    private JsonNode reply(String type) throws InterruptedException {
        JsonNode m = replies.poll(10, TimeUnit.SECONDS);
        if (m == null || !m.path("messageType").asText().equals(type) || m.path("status").asInt() != 200) {
            throw new IllegalStateException(type + " failed: " + m);
        }
        return m;
    }

    /** The subscription body Herald's SDK would post for this browser. */
    String subscriptionJson() {
        return Json.stringify(java.util.Map.of("subscription", java.util.Map.of("endpoint", endpoint,
                "keys", java.util.Map.of("p256dh", keys.p256dh(), "auth", keys.authBase64Url()))));
    }

    @Override
    public void close() {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        ws.abort();
    }
}
