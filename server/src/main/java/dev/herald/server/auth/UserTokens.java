package dev.herald.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.http.Json;
import dev.herald.webpush.Base64Url;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * User tokens: HS256 JWTs whose {@code sub} is the app's user id. App backends mint them with the shared
 * secret (or ask Herald to); browsers present them. Only HS256 is accepted, so {@code alg: none} and key
 * confusion cannot apply. A {@code crit} header is refused (RFC 7515 §4.1.11: we understand no extension),
 * {@code nbf} is honoured, a lifetime past {@code maxLifetime} is refused (so a leaked long-lived token cannot be
 * minted by a careless backend), and every segment must be canonical unpadded base64url (one token, one spelling).
 * Thread-safe.
 */
public final class UserTokens {
    /** App user ids: what fits in a URL path segment and a log line. */
    public static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
    private static final String HEADER = Base64Url.encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.US_ASCII));
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-]+");

    private final byte[] secret;
    private final Clock clock;
    private final long maxLifetimeSeconds;

    public UserTokens(byte[] secret, Clock clock, Duration maxLifetime) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("user-token secret must be at least 32 bytes");
        }
        this.secret = secret.clone();
        this.clock = clock;
        this.maxLifetimeSeconds = maxLifetime.toSeconds();
    }

    public record Minted(String token, long expiresAt) {}

    public Minted mint(String userId, Duration ttl) {
        if (!USER_ID.matcher(userId).matches()) {
            throw new IllegalArgumentException("user id must be 1-128 characters of A-Z a-z 0-9 . _ : @ -");
        }
        if (ttl.toSeconds() > maxLifetimeSeconds) {
            throw new IllegalArgumentException("a token lifetime of " + ttl.toSeconds() + " s is past user-token-max-lifetime ("
                    + maxLifetimeSeconds + " s)");
        }
        long now = clock.instant().getEpochSecond();
        long exp = now + ttl.toSeconds();
        String claims = Json.stringify(Map.of("sub", userId, "iat", now, "exp", exp));
        String input = HEADER + "." + Base64Url.encode(claims.getBytes(StandardCharsets.UTF_8));
        return new Minted(input + "." + Base64Url.encode(sign(input)), exp * 1000);
    }

    /**
     * The user id of a valid, unexpired token.
     *
     * @throws IllegalArgumentException saying why the token is refused (for logs; clients get a generic 401)
     */
    public String verify(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a JWT");
        }
        for (String part : parts) {
            if (!SEGMENT.matcher(part).matches()) {
                throw new IllegalArgumentException("a JWT segment is not unpadded base64url");
            }
        }
        JsonNode header = decode(parts[0]);
        if (!"HS256".equals(header.path("alg").asText())) {
            throw new IllegalArgumentException("alg must be HS256");
        }
        if (header.has("crit")) {
            throw new IllegalArgumentException("crit names extensions this server does not understand");
        }
        // Compared as text: a signature is accepted in its one canonical spelling only (no padding, no spare bits).
        byte[] expected = Base64Url.encode(sign(parts[0] + "." + parts[1])).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.US_ASCII))) {
            throw new IllegalArgumentException("bad signature");
        }
        JsonNode claims = decode(parts[1]);
        long now = clock.millis() / 1000;
        long exp = seconds(claims, "exp");
        if (exp <= now) {
            throw new IllegalArgumentException("expired");
        }
        if (claims.has("nbf") && seconds(claims, "nbf") > now) {
            throw new IllegalArgumentException("not valid yet (nbf)");
        }
        long issued = claims.has("iat") ? Math.min(seconds(claims, "iat"), now) : now;
        if (exp - issued > maxLifetimeSeconds) {
            throw new IllegalArgumentException("lifetime " + (exp - issued) + " s is past user-token-max-lifetime");
        }
        String sub = claims.path("sub").asText("");
        if (!USER_ID.matcher(sub).matches()) {
            throw new IllegalArgumentException("sub is not a valid user id");
        }
        return sub;
    }

    /** A NumericDate claim (whole seconds since the epoch). */
    private static long seconds(JsonNode claims, String name) {
        JsonNode v = claims.get(name);
        if (v == null || !v.isNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException(name + " is missing or not a number of seconds");
        }
        return v.asLong();
    }

    private static JsonNode decode(String part) {
        try {
            JsonNode node = Json.MAPPER.readTree(Base64Url.decode(part, "JWT part"));
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("JWT part is not an object");
            }
            return node;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("JWT part is not JSON");
        }
    }

    private byte[] sign(String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
