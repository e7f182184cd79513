package dev.herald.server.webhook;

import dev.herald.server.config.ServerKeys;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The Standard Webhooks symmetric signature: {@code v1,} + base64 of HMAC-SHA256 over {@code id.timestamp.body},
 * keyed with the bytes of the endpoint's secret {@code whsec_<base64>} (the part after the prefix, decoded).
 */
final class Signature {
    static final String PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Signature() {}

    /** A new endpoint secret: 32 random bytes (the specification asks for 24 to 64). */
    static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    static String sign(String secret, String messageId, long timestamp, String body) {
        byte[] key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        // ServerKeys.derive is HMAC-SHA256(key, label): the one HMAC helper of the server.
        byte[] mac = ServerKeys.derive(key, messageId + "." + timestamp + "." + body);
        return "v1," + Base64.getEncoder().encodeToString(mac);
    }
}
