package dev.herald.webpush;

/**
 * An encrypted push body. For {@link ContentEncoding#AES128GCM} the salt and the sender's public key
 * are inside {@code body}; for {@link ContentEncoding#AESGCM} they go in the {@code Encryption} and
 * {@code Crypto-Key} headers.
 */
public record EncryptedPayload(ContentEncoding encoding, byte[] body, byte[] salt, byte[] senderPublicKey) {
    public EncryptedPayload {
        if (encoding == null || body == null || salt == null || senderPublicKey == null) {
            throw new IllegalArgumentException("encrypted payload fields must not be null");
        }
    }
}
