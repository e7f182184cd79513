package dev.herald.server.idempotency;

import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Caller;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code Idempotency-Key} on every POST (draft-ietf-httpapi-idempotency-key-header): the first request with a key
 * is processed and its status and body stored, scoped by the caller's identity; a retry with the same key and body
 * gets the stored response with {@code Idempotency-Replayed: true}; the same key with another body is 422; a
 * retry while the first is still being processed is 409 with {@code Retry-After}. A request that fails (4xx, 5xx)
 * is not stored, so the client can fix it and retry with the same key.
 *
 * <p>Routes whose effect is a database write store the response in the same transaction as the effect
 * ({@link #completeWith}), so a crash can never leave an effect without its stored response. Other routes are
 * recorded after they answer.
 *
 * <p>Routes whose response is a secret ({@link #secretResponses}: a freshly minted user token) and whose effect is
 * none store no body: the key and fingerprint are kept (so a reused key with another body is still 422), and a
 * retry is answered by running the route again, which mints a new token rather than keeping a live one readable
 * in the database for a day.
 */
public final class Idempotency {
    public static final String HEADER = "Idempotency-Key";
    private static final String PENDING = "herald.idempotency";
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final int MAX_KEY_LENGTH = 255;

    private final IdempotencyStore store;
    private final Authenticator auth;
    private final Clock clock;
    private final Duration retention;
    private final int maxBodyBytes;

    private final java.util.List<java.util.regex.Pattern> secretPaths = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A key being processed for the current request. */
    private record Pending(String scope, String key, boolean[] completed) {}

    /** Thrown by the before-handler to answer from the stored response instead of running the route. */
    static final class Replay extends RuntimeException {
        final IdempotencyStore.Begin.Replay stored;

        Replay(IdempotencyStore.Begin.Replay stored) {
            super(null, null, false, false);
            this.stored = stored;
        }
    }

    public Idempotency(Jdbi jdbi, Authenticator auth, Clock clock, Duration retention, int maxBodyBytes) {
        this.store = new IdempotencyStore(jdbi);
        this.auth = auth;
        this.clock = clock;
        this.retention = retention;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Installs the before/after handlers on every POST under {@code /api/}. */
    public void install(RoutesConfig routes) {
        routes.before("/api/*", ctx -> {
            if (ctx.method().name().equals("POST") && ctx.header(HEADER) != null) {
                begin(ctx);
            }
        });
        routes.after("/api/*", this::finish);
        routes.exception(Replay.class, (e, ctx) -> {
            ctx.status(e.stored.status()).header("Idempotency-Replayed", "true");
            if (e.stored.contentType() != null) {
                ctx.contentType(e.stored.contentType());
            }
            ctx.result(e.stored.body() == null ? "" : e.stored.body());
        });
    }

    /**
     * Declares a route ({@code /api/v1/users/{userId}/tokens}) whose responses are secrets without side effects:
     * never stored, a retry runs it again.
     */
    public void secretResponses(String routePath) {
        secretPaths.add(java.util.regex.Pattern.compile(routePath.replaceAll("\\{[^/}]+}", "[^/]+")));
    }

    private boolean secret(Context ctx) {
        return secretPaths.stream().anyMatch(p -> p.matcher(ctx.path()).matches());
    }

    /** Parses the header: a structured-field string ({@code "…"}) or, for compatibility, a bare token. */
    static String parseKey(String header) {
        String v = header.strip();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
            if (v.contains("\"") || v.contains("\\")) {
                throw invalid("escapes are not supported in the key");
            }
        }
        if (v.isEmpty() || v.length() > MAX_KEY_LENGTH) {
            throw invalid("the key must be 1 to " + MAX_KEY_LENGTH + " characters");
        }
        for (char c : v.toCharArray()) {
            if (c < 0x21 || c > 0x7e) {
                throw invalid("the key must be printable ASCII without spaces");
            }
        }
        return v;
    }

    private static ApiException invalid(String why) {
        return new ApiException(ErrorCode.INVALID_IDEMPOTENCY_KEY, "Idempotency-Key: " + why + " (send a quoted string, e.g. \"3f1c…\")");
    }

    private void begin(Context ctx) {
        String key = parseKey(ctx.header(HEADER));
        String scope = scope(auth.caller(ctx), ctx);
        byte[] body = Json.readBounded(ctx, maxBodyBytes);
        ctx.attribute(Json.BODY_ATTRIBUTE, body);
        long now = clock.millis();
        IdempotencyStore.Begin begin = store.begin(scope, key, fingerprint(ctx, body), now, now + LEASE.toMillis(),
                now + retention.toMillis());
        switch (begin) {
            case IdempotencyStore.Begin.Proceed p -> ctx.attribute(PENDING, new Pending(scope, key, new boolean[1]));
            case IdempotencyStore.Begin.Replay r when secret(ctx) -> ctx.attribute(PENDING, new Pending(scope, key, new boolean[] {true}));
            case IdempotencyStore.Begin.Replay r -> throw new Replay(r);
            case IdempotencyStore.Begin.InFlight f -> {
                ctx.header("Retry-After", "1");
                throw new ApiException(ErrorCode.IDEMPOTENCY_IN_FLIGHT, "the first request with this key has not finished; retry shortly");
            }
            case IdempotencyStore.Begin.Mismatch m -> throw new ApiException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                    "this Idempotency-Key was already used for a different request; use a new key for a new request");
        }
    }

    private void finish(Context ctx) {
        Pending pending = ctx.attribute(PENDING);
        if (pending == null) {
            return;
        }
        if (ctx.statusCode() >= 400) {
            // Failed (or its transaction rolled back): forget the key so a corrected retry is processed.
            // Only an in-flight record is deleted; a stored response stays.
            store.release(pending.scope(), pending.key());
        } else if (!pending.completed()[0]) {
            store.complete(pending.scope(), pending.key(), ctx.statusCode(), ctx.res().getContentType(), secret(ctx) ? null : ctx.result());
        }
    }

    /**
     * Stores {@code status} and {@code body} for the current request's key (if it has one) inside {@code h}'s
     * transaction, and returns the body's bytes for the handler to send after the commit.
     */
    public byte[] completeWith(Context ctx, Handle h, int status, Object body) {
        byte[] bytes = Json.bytes(body);
        Pending pending = ctx.attribute(PENDING);
        if (pending != null) {
            store.complete(h, pending.scope(), pending.key(), status, "application/json", new String(bytes, StandardCharsets.UTF_8));
            pending.completed()[0] = true;
        }
        return bytes;
    }

    /** Removes expired records; returns how many. */
    public int prune() {
        return store.prune(clock.millis());
    }

    private static String scope(Caller caller, Context ctx) {
        return caller instanceof Caller.Anonymous ? "anonymous:" + ctx.ip() : caller.identity();
    }

    private static String fingerprint(Context ctx, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            // The query is part of the request: ?userId=alice and ?userId=bob are different writes.
            String query = ctx.queryString();
            sha.update((ctx.method().name() + " " + ctx.path() + (query == null ? "" : "?" + query) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            sha.update(body);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
