package dev.herald.webpush;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import javax.crypto.Cipher;

/**
 * Web Push message encryption (RFC 8291, and the legacy "aesgcm" draft), and the user agent's side
 * of it for tests and push-service tooling. Every encryption uses a fresh P-256 key pair and a
 * fresh random salt. Stateless and thread-safe.
 */
public final class PayloadCipher {
    /** Push services accept bodies of at most this many bytes (RFC 8030 section 7.2). */
    public static final int MAX_BODY = 4096;
    /**
     * The largest body every push service takes: Firefox for Android's refuses more than this with 413. Padding
     * never takes a body past it, so a payload that fits here (2967 bytes for aes128gcm, 3052 for aesgcm) reaches
     * every browser whatever padding was asked for.
     */
    public static final int MAX_BODY_EVERYWHERE = 3070;
    private static final int RECORD_SIZE = 4096;
    private static final byte[] WEBPUSH_INFO = "WebPush: info\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AUTH_INFO = "Content-Encoding: auth\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AESGCM_INFO = "Content-Encoding: aesgcm\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONCE_INFO = "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] P256_LABEL = "P-256\0".getBytes(StandardCharsets.US_ASCII);

    private PayloadCipher() {}

    /**
     * Encrypts {@code plaintext} for {@code subscription}.
     *
     * @throws IllegalArgumentException if plaintext plus padding does not fit a 4096-byte message
     */
    public static EncryptedPayload encrypt(byte[] plaintext, PushSubscription subscription, ContentEncoding encoding,
            int padding) {
        return encrypt(plaintext, subscription.p256dh(), subscription.auth(), encoding,
                cappedPadding(plaintext.length, encoding, padding),
                Primitives.newP256KeyPair(), Primitives.random(Ece.SALT_LENGTH));
    }

    /** The deterministic core, with the sender's key pair and salt given: for the RFC test vectors. */
    static EncryptedPayload encrypt(byte[] plaintext, ECPublicKey uaPublic, byte[] auth, ContentEncoding encoding,
            int padding, KeyPair sender, byte[] salt) {
        checkFits(plaintext.length, encoding, padding);
        byte[] uaRaw = EcKeys.raw(uaPublic);
        byte[] asRaw = EcKeys.raw((ECPublicKey) sender.getPublic());
        byte[] shared = Primitives.ecdh((ECPrivateKey) sender.getPrivate(), uaPublic);
        byte[] body = switch (encoding) {
            case AES128GCM -> Ece.encrypt(aes128gcmIkm(shared, auth, uaRaw, asRaw), salt, asRaw, RECORD_SIZE,
                    plaintext, padding);
            case AESGCM -> aesgcmSeal(shared, auth, uaRaw, asRaw, salt, plaintext, padding);
        };
        return new EncryptedPayload(encoding, body, salt, asRaw);
    }

    /**
     * {@code padding}, reduced so that the body stays within {@link #MAX_BODY_EVERYWHERE} (to none when the payload
     * alone is already past it). Negative padding is left for {@link #checkFits} to refuse.
     */
    static int cappedPadding(int plaintextLength, ContentEncoding encoding, int padding) {
        int room = encoding.maxPlaintext() - (MAX_BODY - MAX_BODY_EVERYWHERE) - plaintextLength;
        return padding < 0 ? padding : Math.max(0, Math.min(padding, room));
    }

    /** Throws a message a person can act on when the payload cannot fit. */
    static void checkFits(int plaintextLength, ContentEncoding encoding, int padding) {
        if (padding < 0) {
            throw new IllegalArgumentException("padding must be >= 0, got " + padding);
        }
        int room = encoding.maxPlaintext() - padding;
        if (plaintextLength > room) {
            throw new IllegalArgumentException("payload is " + plaintextLength + " bytes; at most " + room
                    + " bytes fit a " + MAX_BODY + "-byte " + encoding.token() + " push message"
                    + (padding > 0 ? " with " + padding + " bytes of padding" : ""));
        }
    }

    /** Decrypts an aes128gcm body with the user agent's key pair and auth secret (what a browser does). */
    public static byte[] decryptAes128gcm(byte[] body, KeyPair userAgent, byte[] auth) throws GeneralSecurityException {
        ECPublicKey uaPublic = (ECPublicKey) userAgent.getPublic();
        byte[] uaRaw = EcKeys.raw(uaPublic);
        try {
            return Ece.decrypt(body, keyId -> {
                ECPublicKey sender = EcKeys.publicKey(keyId, "the sender key in the aes128gcm header");
                byte[] shared = Primitives.ecdh((ECPrivateKey) userAgent.getPrivate(), sender);
                return aes128gcmIkm(shared, auth, uaRaw, keyId);
            });
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException(e.getMessage());
        }
    }

    /** Decrypts a legacy aesgcm body given the salt ({@code Encryption}) and sender key ({@code Crypto-Key: dh=}). */
    public static byte[] decryptAesgcm(byte[] body, byte[] salt, byte[] senderPublicKey, KeyPair userAgent, byte[] auth)
            throws GeneralSecurityException {
        if (salt.length != Ece.SALT_LENGTH) {
            throw new GeneralSecurityException("aesgcm salt must be 16 bytes");
        }
        ECPublicKey sender;
        try {
            sender = EcKeys.publicKey(senderPublicKey, "the aesgcm dh key");
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException(e.getMessage());
        }
        if (body.length <= Ece.TAG_LENGTH || body.length > RECORD_SIZE + Ece.TAG_LENGTH) {
            throw new GeneralSecurityException("aesgcm body must be one record of 17 to 4112 bytes");
        }
        byte[] uaRaw = EcKeys.raw((ECPublicKey) userAgent.getPublic());
        byte[] shared = Primitives.ecdh((ECPrivateKey) userAgent.getPrivate(), sender);
        AesgcmKeys keys = aesgcmKeys(shared, auth, uaRaw, senderPublicKey, salt);
        byte[] plain = Primitives.aesGcm(Cipher.DECRYPT_MODE, keys.cek(), keys.nonce(), body, 0, body.length);
        int pad = ((plain[0] & 0xff) << 8) | (plain[1] & 0xff);
        if (2 + pad > plain.length) {
            throw new GeneralSecurityException("aesgcm padding longer than the record");
        }
        for (int i = 2; i < 2 + pad; i++) {
            if (plain[i] != 0) {
                throw new GeneralSecurityException("aesgcm padding is not zero");
            }
        }
        return java.util.Arrays.copyOfRange(plain, 2 + pad, plain.length);
    }

    private static byte[] aes128gcmIkm(byte[] shared, byte[] auth, byte[] uaRaw, byte[] asRaw) {
        byte[] prk = Primitives.hmac(auth, shared);
        return Primitives.hmac(prk, WEBPUSH_INFO, uaRaw, asRaw, new byte[] {1});
    }

    private record AesgcmKeys(byte[] cek, byte[] nonce) {}

    private static AesgcmKeys aesgcmKeys(byte[] shared, byte[] auth, byte[] uaRaw, byte[] asRaw, byte[] salt) {
        byte[] ikm = Primitives.hkdf(auth, shared, AUTH_INFO, 32);
        byte[] context = ByteBuffer.allocate(P256_LABEL.length + 4 + uaRaw.length + asRaw.length)
                .put(P256_LABEL).putShort((short) uaRaw.length).put(uaRaw).putShort((short) asRaw.length).put(asRaw)
                .array();
        return new AesgcmKeys(
                Primitives.hkdf(salt, ikm, concat(AESGCM_INFO, context), 16),
                Primitives.hkdf(salt, ikm, concat(NONCE_INFO, context), 12));
    }

    private static byte[] aesgcmSeal(byte[] shared, byte[] auth, byte[] uaRaw, byte[] asRaw, byte[] salt,
            byte[] plaintext, int padding) {
        AesgcmKeys keys = aesgcmKeys(shared, auth, uaRaw, asRaw, salt);
        byte[] record = new byte[2 + padding + plaintext.length];
        record[0] = (byte) (padding >>> 8);
        record[1] = (byte) padding;
        System.arraycopy(plaintext, 0, record, 2 + padding, plaintext.length);
        return Primitives.seal(keys.cek(), keys.nonce(), record);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
