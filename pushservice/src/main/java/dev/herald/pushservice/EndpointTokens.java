package dev.herald.pushservice;

import dev.herald.webpush.Base64Url;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The opaque token in a push endpoint URL: AES-256-GCM over (uaid, channel id, and for VAPID-restricted channels
 * the first 16 bytes of SHA-256 of the key), under a server key, with a random nonce. It cannot be guessed or
 * enumerated, and the push service learns the channel without a lookup table. Thread-safe.
 */
public final class EndpointTokens {
    /** What a token names. {@code keyHash} is null for an unrestricted (v1) endpoint. */
    public record Target(String uaid, String channelId, byte[] keyHash) {
        public boolean restricted() {
            return keyHash != null;
        }
    }

    private static final int NONCE = 12;
    private static final int KEY_HASH = 16;
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    /** {@code key}: 32 bytes, the same on every node. */
    public EndpointTokens(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("endpoint token key must be 32 bytes");
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    public String issue(String uaid, String channelId, byte[] keyHash) {
        ByteBuffer plain = ByteBuffer.allocate(32 + (keyHash == null ? 0 : KEY_HASH));
        plain.put(HexFormat.of().parseHex(uaid));
        UUID chid = UUID.fromString(channelId);
        plain.putLong(chid.getMostSignificantBits()).putLong(chid.getLeastSignificantBits());
        if (keyHash != null) {
            plain.put(keyHash, 0, KEY_HASH);
        }
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            byte[] sealed = c.doFinal(plain.array());
            byte[] out = Arrays.copyOf(nonce, NONCE + sealed.length);
            System.arraycopy(sealed, 0, out, NONCE, sealed.length);
            return Base64Url.encode(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The target of a genuine token; empty for anything else (garbled, forged, another server's). */
    public Optional<Target> open(String token) {
        byte[] raw;
        try {
            raw = Base64Url.decode(token, "token");
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (raw.length != NONCE + 32 + 16 && raw.length != NONCE + 32 + KEY_HASH + 16) {
            return Optional.empty();
        }
        byte[] plain;
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, raw, 0, NONCE));
            plain = c.doFinal(raw, NONCE, raw.length - NONCE);
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(plain);
        byte[] uaid = new byte[16];
        b.get(uaid);
        String channelId = new UUID(b.getLong(), b.getLong()).toString();
        byte[] keyHash = b.hasRemaining() ? Arrays.copyOfRange(plain, 32, 32 + KEY_HASH) : null;
        return Optional.of(new Target(HexFormat.of().formatHex(uaid), channelId, keyHash));
    }

    /** The key hash a restricted channel stores and its endpoint carries. */
    public static byte[] keyHash(byte[] rawPublicKey) {
        try {
            return Arrays.copyOf(java.security.MessageDigest.getInstance("SHA-256").digest(rawPublicKey), KEY_HASH);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
