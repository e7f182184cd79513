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
 * confusion cannot apply. Thread-safe.
 */
public final class UserTokens {
    /** App user ids: what fits in a URL path segment and a log line. */
    public static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
    private static final String HEADER = Base64Url.encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.US_ASCII));

    private final byte[] secret;
    private final Clock clock;

    public UserTokens(byte[] secret, Clock clock) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("user-token secret must be at least 32 bytes");
        }
        this.secret = secret.clone();
        this.clock = clock;
    }

    public record Minted(String token, long expiresAt) {}

    public Minted mint(String userId, Duration ttl) {
        if (!USER_ID.matcher(userId).matches()) {
            throw new IllegalArgumentException("user id must be 1-128 characters of A-Z a-z 0-9 . _ : @ -");
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
        JsonNode header = decode(parts[0]);
        if (!"HS256".equals(header.path("alg").asText())) {
            throw new IllegalArgumentException("alg must be HS256");
        }
        byte[] expected = sign(parts[0] + "." + parts[1]);
        if (!MessageDigest.isEqual(expected, Base64Url.decode(parts[2], "signature"))) {
            throw new IllegalArgumentException("bad signature");
        }
        JsonNode claims = decode(parts[1]);
        JsonNode exp = claims.get("exp");
        if (exp == null || !exp.canConvertToLong() || exp.asLong() * 1000 <= clock.millis()) {
            throw new IllegalArgumentException("expired or without exp");
        }
        String sub = claims.path("sub").asText("");
        if (!USER_ID.matcher(sub).matches()) {
            throw new IllegalArgumentException("sub is not a valid user id");
        }
        return sub;
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
