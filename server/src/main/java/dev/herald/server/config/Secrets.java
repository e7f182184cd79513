package dev.herald.server.config;

import dev.herald.webpush.Base64Url;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * The one encoding of Herald's symmetric secrets ({@code user-token-secret}, {@code endpoint-token-key},
 * {@code receipt-key}), the same whether configured or generated into {@code keys.json}: a value is text and its
 * UTF-8 bytes are the key (what JWT libraries do with a string secret, so an app backend can mint user tokens
 * with the same value), unless it starts with {@code base64url:}, in which case the rest is decoded to the key's
 * bytes. A value copied from keys.json into the configuration therefore means the same key.
 */
public final class Secrets {
    public static final String BASE64URL = "base64url:";
    public static final int MIN_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    /**
     * The key bytes a value stands for.
     *
     * @param where names the setting in an error, e.g. {@code HERALD_USER_TOKEN_SECRET}
     * @throws ConfigException if it is not valid base64url after the prefix, or shorter than 32 bytes
     */
    public static byte[] parse(String value, String where) {
        byte[] key;
        if (value.startsWith(BASE64URL)) {
            try {
                key = Base64Url.decode(value.substring(BASE64URL.length()), where);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where + ": the part after base64url: is not base64url");
            }
        } else {
            key = value.getBytes(StandardCharsets.UTF_8);
        }
        if (key.length < MIN_BYTES) {
            throw new ConfigException(where + " must be at least " + MIN_BYTES + " bytes (e.g. the output of openssl rand -hex 32)");
        }
        return key;
    }

    /** A fresh secret: 32 random bytes written as 43 base64url characters, used as text like any configured value. */
    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64Url.encode(bytes);
    }

    /** The value for raw key bytes (how keys.json written by older versions is carried over). */
    public static String ofBytes(byte[] key) {
        return BASE64URL + Base64Url.encode(key);
    }
}
