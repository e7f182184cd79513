package dev.herald.pushservice;

import dev.herald.webpush.Base64Url;
import dev.herald.webpush.VapidJwt;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An RFC 8030 push service. Application servers {@link #push} messages to endpoint tokens; user agents connect
 * with the autopush WebSocket protocol ({@link #connect}) and receive them, now if connected, else from storage on
 * their next {@code hello}, until the TTL runs out. Messages live in the {@link PushStore} until acknowledged.
 * Framework-free: the host maps HTTP requests and WebSocket frames onto these methods. Thread-safe.
 *
 * <p>Connections are tracked per node. With several nodes sharing the store, a message accepted on a node that does
 * not hold its user agent's connection is stored, then handed to {@link Peers}, which tells the node that holds it;
 * that node's host passes it to {@link #routed}.
 */
public final class PushService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PushService.class);
    private static final int MAX_BODY = 4096;
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Set<String> URGENCIES = Set.of("very-low", "low", "normal", "high");

    /**
     * Bounds: channels per user agent, undelivered messages per user agent, the longest TTL kept, how long a
     * user agent that never reconnects is remembered (its endpoints answer 410 after that), and the stored bytes of
     * undelivered messages per user agent and in all.
     */
    public record Limits(int maxChannels, int maxPending, long maxTtlSeconds, java.time.Duration forgetAfter,
            long maxBytesPerAgent, long maxStoredBytes) {
        public static final Limits DEFAULT = new Limits(256, 100, 28L * 86_400, java.time.Duration.ofDays(60),
                512L * 1024, 1024L * 1024 * 1024);

        public Limits withStoredBytes(long perAgent, long total) {
            return new Limits(maxChannels, maxPending, maxTtlSeconds, forgetAfter, perAgent, total);
        }

        PushStore.Room room() {
            return new PushStore.Room(maxPending, maxBytesPerAgent, maxStoredBytes);
        }
    }

    private final PushStore store;
    private final EndpointTokens tokens;
    private final java.util.function.Supplier<URI> publicUrl;
    private final Clock clock;
    private final Limits limits;
    private final Throttle throttle;
    private final Map<String, UserAgentSession> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Peers peers;
    /** Connection numbers, unique on this node across restarts (they start at a random point). */
    private final java.util.concurrent.atomic.AtomicLong connectionIds = new java.util.concurrent.atomic.AtomicLong(
            new SecureRandom().nextLong() & 0x3fff_ffff_ffff_ffffL);

    /**
     * {@code publicUrl}: where application servers reach this service; its origin is the VAPID audience. A supplier,
     * because a host on a random port knows it only once it listens.
     */
    public PushService(PushStore store, EndpointTokens tokens, java.util.function.Supplier<URI> publicUrl, Clock clock,
            Limits limits) {
        this(store, tokens, publicUrl, clock, limits, Throttle.NONE);
    }

    /** With the host's rate limits ({@link Throttle}). */
    public PushService(PushStore store, EndpointTokens tokens, java.util.function.Supplier<URI> publicUrl, Clock clock,
            Limits limits, Throttle throttle) {
        this(store, tokens, publicUrl, clock, limits, throttle, Peers.NONE);
    }

    /** On one of several nodes sharing {@code store}: {@code peers} reaches the others. */
    public PushService(PushStore store, EndpointTokens tokens, java.util.function.Supplier<URI> publicUrl, Clock clock,
            Limits limits, Throttle throttle, Peers peers) {
        this.peers = peers;
        this.throttle = throttle;
        this.store = store;
        this.tokens = tokens;
        this.publicUrl = publicUrl;
        this.clock = clock;
        this.limits = limits;
    }

    // ---- the user-agent side ---------------------------------------------------------------------------

    /** A new WebSocket; feed it the frames, and {@link UserAgentSession#closed()} when it ends. */
    public UserAgentSession connect(Connection connection) {
        return new UserAgentSession(this, connection);
    }

    /** Connected user agents on this node (that said {@code hello}). */
    public int connections() {
        return sessions.size();
    }

    /**
     * A message another node stored for {@code message.uaid()}: sent down its WebSocket if it is connected here, once
     * per connection, so a repeated notify or the catch-up scan finding it again sends nothing. Returns whether it was
     * sent now.
     */
    public boolean routed(PushStore.Message message) {
        UserAgentSession session = sessions.get(message.uaid());
        return session != null && session.deliver(message);
    }

    /** Whether {@code uaid} is connected to this node. */
    public boolean connectedHere(String uaid) {
        return sessions.containsKey(uaid);
    }

    long newConnectionId() {
        return connectionIds.incrementAndGet();
    }

    PushStore store() {
        return store;
    }

    Limits limits() {
        return limits;
    }

    Throttle throttle() {
        return throttle;
    }

    Clock clock() {
        return clock;
    }

    private String origin() {
        URI u = publicUrl.get();
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    String endpoint(String uaid, String channelId, byte[] keyHash) {
        return origin() + "/wpush/" + (keyHash == null ? "v1/" : "v2/") + tokens.issue(uaid, channelId, keyHash);
    }

    /** Makes {@code session} the one for {@code uaid}; an older connection of the same agent is closed. */
    void online(String uaid, UserAgentSession session) {
        UserAgentSession previous = sessions.put(uaid, session);
        if (previous != null && previous != session) {
            previous.replaced();
        }
        peers.connected(uaid, session.id());
    }

    void offline(String uaid, UserAgentSession session) {
        if (sessions.remove(uaid, session)) {
            peers.disconnected(uaid, session.id());
        }
    }

    // ---- the application-server side -------------------------------------------------------------------

    /**
     * {@code POST /wpush/{version}/{token}}. {@code headers}: lower-case names. Returns 201 with {@code Location}
     * and {@code TTL}, or a refusal.
     */
    public PushResponse push(String version, String token, Map<String, String> headers, byte[] body) {
        Optional<EndpointTokens.Target> opened = tokens.open(token);
        if (opened.isEmpty() || !version.equals(opened.get().restricted() ? "v2" : "v1")) {
            return PushResponse.refuse(PushError.NO_SUCH_ENDPOINT, "the endpoint token is not one this push service issued");
        }
        EndpointTokens.Target target = opened.get();
        java.time.Duration wait = throttle.message(target.uaid(), target.channelId());
        if (!wait.isZero()) {
            return PushResponse.retryAfter(PushError.RATE_LIMITED, "too many messages for this subscription; retry later", wait);
        }
        Optional<PushStore.Channel> channel = store.channel(target.uaid(), target.channelId());
        if (channel.isEmpty()) {
            return PushResponse.refuse(PushError.ENDPOINT_GONE, "the subscription was unsubscribed; delete it");
        }
        if (target.restricted()) {
            PushResponse refused = checkVapid(headers, target.keyHash());
            if (refused != null) {
                return refused;
            }
        }
        String ttlText = headers.get("ttl");
        if (ttlText == null || ttlText.isBlank()) {
            return PushResponse.refuse(PushError.TTL_REQUIRED, "send TTL: <seconds> (RFC 8030 section 5.2)");
        }
        long ttl;
        try {
            ttl = Long.parseLong(ttlText.strip());
        } catch (NumberFormatException e) {
            ttl = -1;
        }
        if (ttl < 0) {
            return PushResponse.refuse(PushError.INVALID_HEADER, "TTL must be a whole number of seconds >= 0, got '" + ttlText + "'");
        }
        ttl = Math.min(ttl, limits.maxTtlSeconds());
        String urgency = headers.getOrDefault("urgency", "normal").strip().toLowerCase(Locale.ROOT);
        if (!URGENCIES.contains(urgency)) {
            return PushResponse.refuse(PushError.INVALID_HEADER, "Urgency must be very-low, low, normal or high");
        }
        String topic = headers.get("topic");
        if (topic != null && !TOPIC.matcher(topic).matches()) {
            return PushResponse.refuse(PushError.INVALID_HEADER, "Topic must be 1-32 characters of the base64url alphabet");
        }
        if (body.length > MAX_BODY) {
            return PushResponse.refuse(PushError.PAYLOAD_TOO_LARGE, "the body is " + body.length + " bytes; at most 4096 are accepted");
        }
        Map<String, String> uaHeaders = new LinkedHashMap<>();
        if (body.length > 0) {
            String encoding = headers.getOrDefault("content-encoding", "").strip().toLowerCase(Locale.ROOT);
            switch (encoding) {
                case "aes128gcm" -> uaHeaders.put("encoding", "aes128gcm");
                case "aesgcm" -> {
                    String encryption = headers.get("encryption");
                    String cryptoKey = headers.get("crypto-key");
                    if (encryption == null || cryptoKey == null) {
                        return PushResponse.refuse(PushError.ENCODING_REQUIRED, "aesgcm needs Encryption (salt) and Crypto-Key (dh)");
                    }
                    AesgcmHeaders.Forwarded forwarded;
                    try {
                        forwarded = AesgcmHeaders.normalise(encryption, cryptoKey);
                    } catch (IllegalArgumentException e) {
                        return PushResponse.refuse(PushError.INVALID_HEADER, e.getMessage());
                    }
                    uaHeaders.put("encoding", "aesgcm");
                    uaHeaders.put("encryption", forwarded.encryption());
                    uaHeaders.put("crypto_key", forwarded.cryptoKey());
                }
                default -> {
                    return PushResponse.refuse(PushError.ENCODING_REQUIRED, "Content-Encoding must be aes128gcm (or aesgcm), got '"
                            + encoding + "'");
                }
            }
        }
        long now = clock.millis();
        PushStore.Message message = new PushStore.Message(newId(), target.uaid(), target.channelId(), topic, urgency, uaHeaders,
                body.length == 0 ? null : Base64Url.encode(body), now, now + ttl * 1000);
        UserAgentSession session = sessions.get(target.uaid());
        if (ttl == 0) {
            // Deliver now or drop: nothing is stored, so an agent that is not connected never sees it.
            if (session != null) {
                session.deliver(message);
            } else {
                peers.stored(message);
            }
        } else {
            switch (store.store(message, limits.room())) {
                case STORED -> { }
                case AGENT_FULL -> {
                    return PushResponse.refuse(PushError.TOO_MANY_MESSAGES, "the user agent has " + limits.maxPending()
                            + " undelivered messages or " + limits.maxBytesPerAgent() + " bytes of them; retry later");
                }
                case SERVICE_FULL -> {
                    return PushResponse.refuse(PushError.STORAGE_FULL, "the push service holds "
                            + limits.maxStoredBytes() + " bytes of undelivered messages; retry later");
                }
                case NO_CHANNEL -> {
                    return PushResponse.refuse(PushError.ENDPOINT_GONE, "the subscription was unsubscribed; delete it");
                }
            }
            session = sessions.get(target.uaid()); // it may have said hello while the message was being stored
            if (session != null) {
                session.deliver(message);
            } else {
                peers.stored(message);
            }
        }
        return PushResponse.ok(201, Map.of("Location", origin() + "/wpush/m/" + message.id(), "TTL", Long.toString(ttl)));
    }

    /** {@code DELETE /wpush/m/{id}}: cancels an undelivered message. */
    public PushResponse cancel(String messageId) {
        return store.cancel(messageId) ? PushResponse.ok(204, Map.of())
                : PushResponse.refuse(PushError.NO_SUCH_MESSAGE, "no undelivered message " + messageId);
    }

    /** Closes this node's connections ("going away"), so their browsers reconnect, to another node if there is one. */
    @Override
    public void close() {
        for (UserAgentSession session : sessions.values()) {
            session.goingAway();
        }
    }

    /** Deletes expired messages and forgets long-gone user agents (the host calls it periodically). */
    public int purgeExpired() {
        long now = clock.millis();
        return store.deleteExpired(now) + store.forgetUserAgents(now - limits.forgetAfter().toMillis());
    }

    private PushResponse checkVapid(Map<String, String> headers, byte[] keyHash) {
        VapidJwt.Credentials credentials;
        try {
            credentials = VapidJwt.parseAuthorization(headers.get("authorization"), headers.get("crypto-key"));
        } catch (IllegalArgumentException e) {
            return PushResponse.refuse(PushError.VAPID_REQUIRED, e.getMessage());
        }
        byte[] rawKey;
        try {
            rawKey = Base64Url.decode(credentials.publicKey(), "VAPID public key");
        } catch (IllegalArgumentException e) {
            return PushResponse.refuse(PushError.VAPID_INVALID, e.getMessage());
        }
        if (!Arrays.equals(EndpointTokens.keyHash(rawKey), keyHash)) {
            return PushResponse.refuse(PushError.VAPID_KEY_MISMATCH, "k= is not the applicationServerKey of this subscription");
        }
        try {
            VapidJwt.Claims claims = VapidJwt.verify(credentials.token(), VapidJwt.publicKey(credentials.publicKey()), clock);
            if (!claims.audience().equals(origin())) {
                return PushResponse.refuse(PushError.VAPID_INVALID, "aud must be " + origin() + ", got " + claims.audience());
            }
        } catch (IllegalArgumentException e) {
            return PushResponse.refuse(PushError.VAPID_INVALID, e.getMessage());
        }
        return null;
    }

    private String newId() {
        byte[] id = new byte[16];
        random.nextBytes(id);
        return Base64Url.encode(id);
    }

    static Logger log() {
        return log;
    }
}
