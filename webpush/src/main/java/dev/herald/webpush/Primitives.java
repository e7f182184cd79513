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

    /**
     * JCA engines are costly to look up and, with the native provider, to create (each {@code getInstance} walks the
     * provider list and allocates native state), so each kind is kept in a small pool and re-initialised per use.
     * A pool rather than a thread-local, so that virtual threads do not each build their own.
     */
    private static final class Pool<T> {
        private final java.util.concurrent.ArrayBlockingQueue<T> idle =
                new java.util.concurrent.ArrayBlockingQueue<>(4 * Runtime.getRuntime().availableProcessors() + 4);
        private final java.util.function.Supplier<T> create;

        Pool(java.util.function.Supplier<T> create) {
            this.create = create;
        }

        T take() {
            T t = idle.poll();
            return t != null ? t : create.get();
        }

        void give(T t) {
            idle.offer(t); // dropped when the pool is full
        }
    }

    private static final Pool<KeyPairGenerator> KEY_PAIRS = new Pool<>(() -> {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(EcKeys.P256, RANDOM);
            return generator;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 key generation unavailable", e);
        }
    });
    private static final Pool<KeyAgreement> AGREEMENTS = new Pool<>(() -> {
        try {
            return KeyAgreement.getInstance("ECDH");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ECDH unavailable", e);
        }
    });
    private static final Pool<Mac> MACS = new Pool<>(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    });
    private static final Pool<Cipher> CIPHERS = new Pool<>(() -> {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-128-GCM unavailable", e);
        }
    });

    static KeyPair newP256KeyPair() {
        KeyPairGenerator generator = KEY_PAIRS.take();
        KeyPair pair = generator.generateKeyPair();
        KEY_PAIRS.give(generator);
        return pair;
    }

    static byte[] ecdh(ECPrivateKey own, ECPublicKey peer) {
        KeyAgreement agreement = AGREEMENTS.take();
        try {
            agreement.init(own);
            agreement.doPhase(peer, true);
            byte[] secret = agreement.generateSecret();
            AGREEMENTS.give(agreement);
            return secret;
        } catch (java.security.InvalidKeyException e) {
            throw new IllegalArgumentException("ECDH refused the key: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ECDH unavailable", e);
        }
    }

    /** HMAC-SHA-256 of the concatenated parts: the extract and the single-block expand of HKDF. */
    static byte[] hmac(byte[] key, byte[]... parts) {
        Mac mac = MACS.take();
        try {
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] part : parts) {
                mac.update(part);
            }
            byte[] out = mac.doFinal();
            MACS.give(mac);
            return out;
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
        Cipher cipher = CIPHERS.take();
        try {
            try {
                cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            } catch (java.security.InvalidAlgorithmParameterException | java.security.InvalidKeyException e) {
                // The JDK refuses to re-initialise an engine for encryption with the key and nonce it last used (only
                // fixed test vectors do that): a fresh engine takes them.
                cipher = CIPHERS.create.get();
                cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            }
            byte[] out = cipher.doFinal(input, offset, length);
            CIPHERS.give(cipher);
            return out;
        } catch (javax.crypto.AEADBadTagException e) {
            throw e; // a failed decryption leaves the engine unusable until re-initialised: not returned to the pool
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
