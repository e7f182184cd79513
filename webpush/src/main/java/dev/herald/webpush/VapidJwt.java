package dev.herald.webpush;

import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * Verifies VAPID tokens the way a push service does: for Herald's embedded push service and for tests.
 * Stateless and thread-safe.
 */
public final class VapidJwt {
    private VapidJwt() {}

    /** The claims of a verified token. */
    public record Claims(String audience, Instant expires, String subject) {}

    /** The token and public key carried by an {@code Authorization} header (and, for aesgcm, {@code Crypto-Key}). */
    public record Credentials(String token, String publicKey) {}

    /**
     * Parses {@code Authorization: vapid t=…, k=…} (RFC 8292), or the older {@code WebPush <jwt>} (also sent as
     * {@code Bearer <jwt>}) whose key comes from the {@code p256ecdsa} parameter of {@code Crypto-Key}.
     *
     * @throws IllegalArgumentException when neither form is present or complete
     */
    public static Credentials parseAuthorization(String authorization, String cryptoKey) {
        if (authorization == null || authorization.isBlank()) {
            throw new IllegalArgumentException("missing Authorization header");
        }
        String value = authorization.strip();
        int space = value.indexOf(' ');
        String scheme = space < 0 ? value : value.substring(0, space);
        String rest = space < 0 ? "" : value.substring(space + 1).strip();
        if (scheme.equalsIgnoreCase("vapid")) {
            String t = null;
            String k = null;
            for (String part : rest.split(",")) {
                String p = part.strip();
                if (p.startsWith("t=")) {
                    t = p.substring(2).strip();
                } else if (p.startsWith("k=")) {
                    k = p.substring(2).strip();
                }
            }
            if (t == null || k == null || t.isEmpty() || k.isEmpty()) {
                throw new IllegalArgumentException("vapid Authorization needs both t= and k=");
            }
            return new Credentials(t, k);
        }
        // The older form (draft-ietf-webpush-vapid-01): the JWT alone, the key in Crypto-Key. App servers send it
        // as "WebPush <JWT>" and, just as often, as "Bearer <JWT>".
        if ((scheme.equalsIgnoreCase("webpush") || scheme.equalsIgnoreCase("bearer")) && !rest.isEmpty()) {
            String k = null;
            if (cryptoKey != null) {
                for (String part : cryptoKey.split("[;,]")) {
                    String p = part.strip();
                    if (p.startsWith("p256ecdsa=")) {
                        k = p.substring("p256ecdsa=".length()).replace("\"", "");
                    }
                }
            }
            if (k == null) {
                throw new IllegalArgumentException("WebPush Authorization needs Crypto-Key: p256ecdsa=");
            }
            return new Credentials(rest, k);
        }
        throw new IllegalArgumentException("Authorization scheme must be 'vapid' (RFC 8292)");
    }

    /**
     * Checks an ES256 JWT against {@code key}: header, signature, {@code aud}, and an {@code exp} that is in
     * the future but at most 24 hours ahead (RFC 8292 section 2).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static Claims verify(String jwt, ECPublicKey key, Clock clock) {
        String[] parts = jwt == null ? new String[0] : jwt.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("VAPID token is not a JWT (three dot-separated parts)");
        }
        Map<String, Object> header = json(parts[0], "header");
        if (!"ES256".equals(header.get("alg"))) {
            throw new IllegalArgumentException("VAPID token alg must be ES256");
        }
        byte[] signature = Base64Url.decode(parts[2], "VAPID token signature");
        if (signature.length != 64 || !VapidKeys.verify(key,
                (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII), signature)) {
            throw new IllegalArgumentException("VAPID token signature does not verify with the given key");
        }
        Map<String, Object> claims = json(parts[1], "claims");
        if (!(claims.get("aud") instanceof String aud) || aud.isEmpty()) {
            throw new IllegalArgumentException("VAPID token has no aud claim");
        }
        if (!(claims.get("exp") instanceof Long exp)) {
            throw new IllegalArgumentException("VAPID token has no numeric exp claim");
        }
        Instant expires = Instant.ofEpochSecond(exp);
        Instant now = clock.instant();
        if (!expires.isAfter(now)) {
            throw new IllegalArgumentException("VAPID token expired at " + expires);
        }
        if (expires.isAfter(now.plus(VapidSigner.MAX_LIFETIME))) {
            throw new IllegalArgumentException("VAPID token exp is more than 24 hours ahead");
        }
        Object sub = claims.get("sub");
        return new Claims(aud, expires, sub instanceof String s ? s : null);
    }

    private static Map<String, Object> json(String part, String what) {
        try {
            return FlatJson.parseObject(new String(Base64Url.decode(part, "VAPID token " + what), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("VAPID token " + what + " is malformed: " + e.getMessage());
        }
    }

    /** Parses a base64url public key from {@code k=} into a key, with a clear error. */
    public static ECPublicKey publicKey(String base64Url) {
        return EcKeys.publicKey(Base64Url.decode(base64Url, "VAPID public key"), "VAPID public key");
    }
}
