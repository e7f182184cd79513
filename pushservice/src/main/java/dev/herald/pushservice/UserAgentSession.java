package dev.herald.pushservice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.webpush.Base64Url;
import dev.herald.webpush.VapidJwt;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * One user agent's WebSocket speaking the autopush protocol (subprotocol {@code push-notification}): {@code hello}
 * first (assigns or resumes a uaid, then delivers what is stored), then {@code register}, {@code unregister},
 * {@code ack}, {@code nack} and pings ({@code {}}). Anything else (not JSON, an unknown type, a message before
 * {@code hello}) closes this connection with a reason; other connections are not affected.
 */
public final class UserAgentSession {
    /** Close codes: the RFC 6455 ones, and 4xxx for this protocol's reasons. */
    static final int PROTOCOL_ERROR = 1002;
    static final int UNSUPPORTED_DATA = 1003;
    static final int REPLACED = 4000;
    static final int GOING_AWAY = 1001;
    /** A new user agent was refused by the host's rate limit; the browser reconnects later (with backoff). */
    static final int RATE_LIMITED = 4429;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UAID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern CHANNEL_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PushService service;
    private final Connection connection;
    private final long id;
    /** Messages sent on this connection and not yet acknowledged: each goes out once per connection. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private volatile String uaid;
    private volatile boolean closed;

    UserAgentSession(PushService service, Connection connection) {
        this.service = service;
        this.connection = connection;
        this.id = service.newConnectionId();
    }

    /** This connection's number, unique on its node. */
    long id() {
        return id;
    }

    /** A text frame from the user agent. */
    public void onText(String text) {
        if (closed) {
            return;
        }
        JsonNode message;
        try {
            message = JSON.readTree(text);
        } catch (java.io.IOException e) {
            close(PROTOCOL_ERROR, "not JSON");
            return;
        }
        if (!(message instanceof ObjectNode m)) {
            close(PROTOCOL_ERROR, "a message must be a JSON object");
            return;
        }
        if (m.isEmpty()) {
            connection.send("{}"); // ping
            return;
        }
        String type = m.path("messageType").asText("").toLowerCase(java.util.Locale.ROOT);
        if (uaid == null && !type.equals("hello")) {
            close(PROTOCOL_ERROR, "hello first");
            return;
        }
        try {
            switch (type) {
                case "hello" -> hello(m);
                case "register" -> register(m);
                case "unregister" -> unregister(m);
                case "ack" -> ack(m);
                case "nack" -> PushService.log().debug("nack from user agent {}: {}", logId(), m);
                case "ping" -> connection.send("{}");
                case "broadcast_subscribe" -> { } // no broadcasts here
                default -> close(PROTOCOL_ERROR, "unknown messageType '" + abbreviate(type) + "'");
            }
        } catch (RuntimeException e) {
            PushService.log().warn("push service: {} failed for user agent {}", type, logId(), withoutUaid(e));
            close(1011, "server error");
        }
    }

    /** A binary frame: not part of the protocol. */
    public void onBinary() {
        close(UNSUPPORTED_DATA, "binary frames are not part of the protocol");
    }

    /** The connection ended. */
    public void closed() {
        closed = true;
        if (uaid != null) {
            service.offline(uaid, this);
        }
    }

    private void hello(ObjectNode m) {
        if (uaid != null) {
            close(PROTOCOL_ERROR, "hello was already sent");
            return;
        }
        PushStore store = service.store();
        long now = service.clock().millis();
        String given = m.path("uaid").asText("");
        String id = given;
        if (!UAID.matcher(given).matches() || !store.userAgentExists(given)) {
            // Unknown or missing: a new identity. A browser that sent another uaid drops its old subscriptions.
            if (!service.throttle().newUserAgent(connection.clientAddress()).isZero()) {
                close(RATE_LIMITED, "rate-limited: too many new user agents from this address; retry later");
                return;
            }
            byte[] fresh = new byte[16];
            RANDOM.nextBytes(fresh);
            id = HexFormat.of().formatHex(fresh);
            store.createUserAgent(id, now);
        } else {
            store.touchUserAgent(id, now);
        }
        uaid = id;
        service.online(id, this);
        ObjectNode reply = JSON.createObjectNode().put("messageType", "hello").put("uaid", id).put("status", 200)
                .put("use_webpush", true);
        reply.putObject("broadcasts");
        connection.send(reply.toString());
        for (PushStore.Message stored : store.pending(id, now)) {
            deliver(stored);
        }
    }

    private void register(ObjectNode m) {
        String channelId = m.path("channelID").asText("").toLowerCase(java.util.Locale.ROOT);
        ObjectNode reply = JSON.createObjectNode().put("messageType", "register").put("channelID", channelId);
        if (!CHANNEL_ID.matcher(channelId).matches()) {
            connection.send(reply.put("status", 400).put("error", "channelID must be a UUID").toString());
            return;
        }
        byte[] keyHash = null;
        if (m.hasNonNull("key")) {
            try {
                String key = m.get("key").asText();
                VapidJwt.publicKey(key); // a P-256 point, or refused
                keyHash = EndpointTokens.keyHash(Base64Url.decode(key, "key"));
            } catch (IllegalArgumentException e) {
                connection.send(reply.put("status", 400).put("error", "key is not a P-256 public key: " + e.getMessage()).toString());
                return;
            }
        }
        PushStore store = service.store();
        boolean known = store.channel(uaid, channelId).isPresent();
        if (!known && !service.throttle().register(uaid, connection.clientAddress()).isZero()) {
            connection.send(reply.put("status", 429).put("error", "rate-limited: too many registrations; retry later").toString());
            return;
        }
        if (!known && store.channelCount(uaid) >= service.limits().maxChannels()) {
            connection.send(reply.put("status", 429).put("error", "at most " + service.limits().maxChannels()
                    + " channels per user agent").toString());
            return;
        }
        store.addChannel(new PushStore.Channel(uaid, channelId, keyHash == null ? null : Base64Url.encode(keyHash),
                service.clock().millis()));
        connection.send(reply.put("status", 200).put("pushEndpoint", service.endpoint(uaid, channelId, keyHash)).toString());
    }

    private void unregister(ObjectNode m) {
        String channelId = m.path("channelID").asText("").toLowerCase(java.util.Locale.ROOT);
        ObjectNode reply = JSON.createObjectNode().put("messageType", "unregister").put("channelID", channelId);
        if (!CHANNEL_ID.matcher(channelId).matches()) {
            connection.send(reply.put("status", 400).toString());
            return;
        }
        service.store().removeChannel(uaid, channelId);
        connection.send(reply.put("status", 200).toString());
    }

    private void ack(ObjectNode m) {
        for (JsonNode update : m.path("updates")) {
            String version = update.path("version").asText("");
            if (!version.isEmpty()) {
                inFlight.remove(version);
                service.store().acknowledge(uaid, version);
            }
        }
    }

    /** Sends a message to this user agent, once per connection; false when it was sent before (or the connection closed). */
    boolean deliver(PushStore.Message message) {
        if (closed || !inFlight.add(message.id())) {
            return false;
        }
        ObjectNode n = JSON.createObjectNode().put("messageType", "notification").put("channelID", message.channelId())
                .put("version", message.id()).put("ttl", Math.max(0, (message.expiresAt() - message.createdAt()) / 1000));
        if (message.data() != null) {
            n.put("data", message.data());
            ObjectNode headers = n.putObject("headers");
            message.headers().forEach(headers::put);
        }
        connection.send(n.toString());
        return true;
    }

    /** This node is shutting down. */
    void goingAway() {
        close(GOING_AWAY, "this node is shutting down; reconnect");
    }

    /** Another connection took over this uaid. */
    void replaced() {
        closed = true;
        connection.close(REPLACED, "another connection of this user agent said hello");
    }

    private void close(int code, String reason) {
        closed();
        connection.close(code, reason);
    }

    /**
     * The uaid is the only credential a browser presents on {@code hello}, so logs carry this instead: the first
     * 12 hex digits of its SHA-256, enough to correlate lines, useless for connecting as the browser.
     */
    private String logId() {
        String id = uaid;
        if (id == null) {
            return "-";
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(id.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The error with the uaid masked in its message (storage errors quote their bound values), same stack. */
    private Throwable withoutUaid(RuntimeException e) {
        String id = uaid;
        String message = String.valueOf(e);
        if (id == null || !message.contains(id)) {
            return e;
        }
        RuntimeException masked = new RuntimeException(message.replace(id, "uaid:" + logId()));
        masked.setStackTrace(e.getStackTrace());
        return masked;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
