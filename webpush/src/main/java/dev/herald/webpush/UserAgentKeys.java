package dev.herald.webpush;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;

/**
 * The keys a browser makes for a push subscription: a P-256 key pair ({@code p256dh}) and a 16-byte
 * auth secret. Application servers never hold these; tests, benchmarks and the push service's tooling
 * play the browser with them.
 */
public record UserAgentKeys(KeyPair keyPair, byte[] auth) {
    public UserAgentKeys {
        if (keyPair == null || !(keyPair.getPublic() instanceof ECPublicKey)) {
            throw new IllegalArgumentException("user agent key pair must be an EC key pair");
        }
        if (auth == null || auth.length != 16) {
            throw new IllegalArgumentException("auth secret must be 16 bytes");
        }
        auth = auth.clone();
    }

    public static UserAgentKeys generate() {
        return new UserAgentKeys(Primitives.newP256KeyPair(), Primitives.random(16));
    }

    @Override
    public byte[] auth() {
        return auth.clone();
    }

    /** The public key as a browser reports it in {@code keys.p256dh}. */
    public String p256dh() {
        return Base64Url.encode(EcKeys.raw((ECPublicKey) keyPair.getPublic()));
    }

    /** The auth secret as a browser reports it in {@code keys.auth}. */
    public String authBase64Url() {
        return Base64Url.encode(auth);
    }

    public PushSubscription subscription(String endpoint) {
        return PushSubscription.of(endpoint, p256dh(), authBase64Url());
    }

    public byte[] decrypt(byte[] aes128gcmBody) throws GeneralSecurityException {
        return PayloadCipher.decryptAes128gcm(aes128gcmBody, keyPair, auth);
    }

    public byte[] decryptAesgcm(byte[] body, byte[] salt, byte[] senderPublicKey) throws GeneralSecurityException {
        return PayloadCipher.decryptAesgcm(body, salt, senderPublicKey, keyPair, auth);
    }
}
