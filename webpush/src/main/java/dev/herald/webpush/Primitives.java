package dev.herald.webpush;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The handful of JCA operations Web Push needs, through whichever provider {@link CryptoProviders}
 * made preferred. Everything here is stateless and thread-safe. A failure of the JCA itself (an
 * algorithm missing from the JVM) is a broken installation, reported as {@link IllegalStateException}.
 */
final class Primitives {
    static {
        CryptoProviders.install();
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private Primitives() {}

    static byte[] random(int length) {
        byte[] out = new byte[length];
        RANDOM.nextBytes(out);
        return out;
    }

    static KeyPair newP256KeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(EcKeys.P256, RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 key generation unavailable", e);
        }
    }

    static byte[] ecdh(ECPrivateKey own, ECPublicKey peer) {
        try {
            KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
            agreement.init(own);
            agreement.doPhase(peer, true);
            return agreement.generateSecret();
        } catch (java.security.InvalidKeyException e) {
            throw new IllegalArgumentException("ECDH refused the key: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ECDH unavailable", e);
        }
    }

    /** HMAC-SHA-256 of the concatenated parts: the extract and the single-block expand of HKDF. */
    static byte[] hmac(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /**
     * HKDF-SHA-256 (RFC 5869) for outputs of at most 32 bytes, which is all Web Push ever derives: one
     * expand block, {@code T(1) = HMAC(PRK, info || 0x01)}.
     */
    static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) {
        if (length > 32) {
            throw new IllegalArgumentException("single-block HKDF yields at most 32 bytes");
        }
        byte[] prk = hmac(salt, ikm);
        return java.util.Arrays.copyOf(hmac(prk, info, new byte[] {1}), length);
    }

    static byte[] aesGcm(int mode, byte[] key, byte[] nonce, byte[] input, int offset, int length)
            throws javax.crypto.AEADBadTagException {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            return cipher.doFinal(input, offset, length);
        } catch (javax.crypto.AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-128-GCM unavailable", e);
        }
    }

    static byte[] seal(byte[] key, byte[] nonce, byte[] plaintext) {
        try {
            return aesGcm(Cipher.ENCRYPT_MODE, key, nonce, plaintext, 0, plaintext.length);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IllegalStateException(e); // encryption never checks a tag
        }
    }
}
