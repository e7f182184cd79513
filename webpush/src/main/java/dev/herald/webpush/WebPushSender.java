package dev.herald.webpush;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLContext;

/**
 * Sends Web Push messages: encrypts each payload for its subscription (RFC 8291), signs VAPID once per
 * push-service origin (RFC 8292, cached), and posts it (RFC 8030) over the JDK's HTTP/2 client.
 *
 * <p>One instance is meant to live as long as the application: it is thread-safe, pools connections,
 * and bounds requests in flight per push-service origin. Build it with {@link #builder()}. Endpoints over
 * TLS get HTTP/2 (negotiated by ALPN, one multiplexed connection per push service); cleartext {@code http:}
 * endpoints (local and test push services) get HTTP/1.1.
 *
 * <p>Failure meaning: whatever a push service answers, and a failure to reach it, completes the future
 * with a {@link DeliveryResult}. Bad input (a payload that cannot fit, say) is an
 * {@link IllegalArgumentException} thrown by {@code prepare}/{@code send} before anything is sent. The
 * future fails only with {@link RejectedExecutionException} when the per-origin wait queue is full.
 */
public final class WebPushSender implements AutoCloseable {
    private static final int REASON_LIMIT = 4096;

    private final HttpClient http;
    private final HttpClient cleartext;
    private final VapidSigner vapid;
    private final Duration requestTimeout;
    private final OriginLimiter limiter;
    private final SenderListener listener;
    private final Clock clock;

    private WebPushSender(Builder b) {
        this.vapid = new VapidSigner(b.vapidKeys, b.vapidSubject, b.tokenLifetime, b.clock);
        HttpClient.Builder hb = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(b.connectTimeout);
        if (b.sslContext != null) {
            hb.sslContext(b.sslContext);
        }
        this.http = hb.build();
        // Over cleartext (a local or embedded push service) the JDK client would try an h2c upgrade and hold
        // concurrent requests back behind it; push services speak HTTP/2 over TLS (ALPN), so http: gets HTTP/1.1.
        this.cleartext = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(b.connectTimeout)
                .build();
        this.requestTimeout = b.requestTimeout;
        this.limiter = new OriginLimiter(b.maxConcurrentPerOrigin, b.maxQueuedPerOrigin);
        this.listener = b.listener;
        this.clock = b.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The VAPID public key browsers must subscribe with ({@code applicationServerKey}). */
    public String vapidPublicKey() {
        return vapid.publicKey();
    }

    /**
     * Encrypts and signs, without sending: the full request as it would go on the wire.
     *
     * @throws IllegalArgumentException if the message cannot be sent to this subscription
     */
    public PreparedRequest prepare(PushSubscription subscription, PushMessage message) {
        String origin = subscription.origin();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("TTL", Long.toString(message.ttl().getSeconds()));
        headers.put("Urgency", message.urgency().token());
        if (message.topic() != null) {
            headers.put("Topic", message.topic());
        }
        byte[] body = new byte[0];
        byte[] payload = message.payloadUnsafe();
        String token = vapid.token(origin);
        if (payload != null) {
            EncryptedPayload encrypted = PayloadCipher.encrypt(payload, subscription, message.encoding(), message.padding());
            body = encrypted.body();
            headers.put("Content-Encoding", message.encoding().token());
            headers.put("Content-Type", "application/octet-stream");
            if (message.encoding() == ContentEncoding.AESGCM) {
                headers.put("Encryption", "salt=" + Base64Url.encode(encrypted.salt()));
                headers.put("Crypto-Key", "dh=" + Base64Url.encode(encrypted.senderPublicKey())
                        + ";p256ecdsa=" + vapid.publicKey());
                headers.put("Authorization", "WebPush " + token);
                return new PreparedRequest(subscription.endpoint(), origin, headers, body);
            }
        }
        headers.put("Authorization", "vapid t=" + token + ", k=" + vapid.publicKey());
        return new PreparedRequest(subscription.endpoint(), origin, headers, body);
    }

    /** Prepares and sends; see the class documentation for what the future completes with. */
    public CompletableFuture<DeliveryResult> send(PushSubscription subscription, PushMessage message) {
        return send(prepare(subscription, message));
    }

    public CompletableFuture<DeliveryResult> send(PreparedRequest request) {
        long started = System.nanoTime();
        HttpRequest.Builder rb = HttpRequest.newBuilder(request.endpoint())
                .timeout(requestTimeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach(rb::header);
        HttpRequest httpRequest = rb.build();
        String origin = request.origin();
        return limiter.acquire(origin)
                .thenCompose(permit -> client(request.endpoint()).sendAsync(httpRequest, BoundedBody.handler(REASON_LIMIT))
                        .handle((response, error) -> {
                            limiter.release(origin);
                            return error == null ? classify(response) : transportFailure(error);
                        }))
                .whenComplete((result, error) -> {
                    if (result != null) {
                        listener.onResult(origin, result, Duration.ofNanos(System.nanoTime() - started));
                    }
                });
    }

    private HttpClient client(URI endpoint) {
        return "http".equalsIgnoreCase(endpoint.getScheme()) ? cleartext : http;
    }

    DeliveryResult classify(HttpResponse<String> response) {
        int status = response.statusCode();
        String reason = response.body() == null ? "" : response.body().strip();
        if (status >= 200 && status < 300) {
            return new DeliveryResult.Created(response.headers().firstValue("Location").flatMap(WebPushSender::uri));
        }
        Optional<Duration> retryAfter = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock);
        return switch (status) {
            case 404, 410 -> new DeliveryResult.Gone(status, reason);
            case 413 -> new DeliveryResult.PayloadTooLarge(reason);
            case 429 -> new DeliveryResult.RateLimited(retryAfter, reason);
            case 401, 403 -> new DeliveryResult.Unauthorized(status, reason);
            default -> status >= 500 && status < 600
                    ? new DeliveryResult.ServerError(status, retryAfter, reason)
                    : new DeliveryResult.Rejected(status, reason);
        };
    }

    private static DeliveryResult transportFailure(Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof HttpConnectTimeoutException || e instanceof ConnectException) {
            return new DeliveryResult.TransportFailure(DeliveryResult.TransportFailure.Kind.CONNECT, message);
        }
        if (e instanceof HttpTimeoutException) {
            return new DeliveryResult.TransportFailure(DeliveryResult.TransportFailure.Kind.TIMEOUT, message);
        }
        if (e instanceof IOException) {
            return new DeliveryResult.TransportFailure(DeliveryResult.TransportFailure.Kind.IO, message);
        }
        throw new CompletionException(e);
    }

    private static Optional<URI> uri(String value) {
        try {
            return Optional.of(URI.create(value));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Closes the HTTP client; in-flight requests are abandoned. */
    @Override
    public void close() {
        http.close();
        cleartext.close();
    }

    /** Builds a {@link WebPushSender}; {@link #build()} validates every setting and fails fast. */
    public static final class Builder {
        private VapidKeys vapidKeys;
        private String vapidSubject;
        private Duration tokenLifetime = VapidSigner.DEFAULT_LIFETIME;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private int maxConcurrentPerOrigin = 256;
        private int maxQueuedPerOrigin = 100_000;
        private SenderListener listener = SenderListener.NONE;
        private Clock clock = Clock.systemUTC();
        private SSLContext sslContext;

        private Builder() {}

        /** Required: the application server's keys and a {@code mailto:}/{@code https:} contact. */
        public Builder vapid(VapidKeys keys, String subject) {
            this.vapidKeys = keys;
            this.vapidSubject = subject;
            return this;
        }

        /** How long each VAPID token is valid (default 12 h, at most 24 h). */
        public Builder vapidTokenLifetime(Duration lifetime) {
            this.tokenLifetime = lifetime;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** Time allowed from sending a request to receiving its response headers (default 30 s). */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** Requests in flight to one push-service origin at once (default 256). */
        public Builder maxConcurrentPerOrigin(int max) {
            this.maxConcurrentPerOrigin = max;
            return this;
        }

        /** Requests that may wait for a permit per origin before {@code send} refuses more (default 100,000). */
        public Builder maxQueuedPerOrigin(int max) {
            this.maxQueuedPerOrigin = max;
            return this;
        }

        public Builder listener(SenderListener listener) {
            this.listener = listener;
            return this;
        }

        /** The clock for VAPID expiry and Retry-After dates; tests pass a fake one. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** TLS settings, e.g. to trust a test push service's certificate. */
        public Builder sslContext(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        public WebPushSender build() {
            if (vapidKeys == null) {
                throw new IllegalArgumentException("VAPID keys are required: builder.vapid(keys, \"mailto:you@example.com\")");
            }
            requirePositive(connectTimeout, "connectTimeout");
            requirePositive(requestTimeout, "requestTimeout");
            if (maxConcurrentPerOrigin < 1 || maxQueuedPerOrigin < 0) {
                throw new IllegalArgumentException("maxConcurrentPerOrigin must be >= 1 and maxQueuedPerOrigin >= 0");
            }
            if (listener == null || clock == null) {
                throw new IllegalArgumentException("listener and clock must not be null");
            }
            return new WebPushSender(this);
        }

        private static void requirePositive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be a positive duration");
            }
        }
    }
}
