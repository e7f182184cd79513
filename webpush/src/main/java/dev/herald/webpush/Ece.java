package dev.herald.webpush;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.function.Function;
import javax.crypto.Cipher;

/**
 * RFC 8188 "aes128gcm" content coding. Web Push only ever sends one record, so encryption writes a
 * single record; decryption reads any number, as the RFC allows, so that RFC 8188's multi-record
 * example and other senders' output can be read.
 */
final class Ece {
    static final int SALT_LENGTH = 16;
    static final int TAG_LENGTH = 16;
    private static final byte[] CEK_INFO = "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONCE_INFO = "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII);

    private Ece() {}

    record Header(byte[] salt, int recordSize, byte[] keyId, int length) {}

    /** Encrypts {@code plaintext} as one record: header, then {@code plaintext || 0x02 || 0x00*padding} sealed. */
    static byte[] encrypt(byte[] ikm, byte[] salt, byte[] keyId, int recordSize, byte[] plaintext, int padding) {
        int sealed = plaintext.length + 1 + padding + TAG_LENGTH;
        if (sealed > recordSize) {
            throw new IllegalArgumentException("plaintext and padding do not fit one " + recordSize + "-byte record");
        }
        byte[] record = new byte[plaintext.length + 1 + padding];
        System.arraycopy(plaintext, 0, record, 0, plaintext.length);
        record[plaintext.length] = 0x02;
        byte[] prk = Primitives.hmac(salt, ikm);
        byte[] ciphertext = Primitives.seal(expand(prk, CEK_INFO, 16), expand(prk, NONCE_INFO, 12), record);
        return ByteBuffer.allocate(SALT_LENGTH + 5 + keyId.length + ciphertext.length)
                .put(salt).putInt(recordSize).put((byte) keyId.length).put(keyId).put(ciphertext)
                .array();
    }

    static Header header(byte[] body) throws GeneralSecurityException {
        if (body.length < SALT_LENGTH + 5) {
            throw new GeneralSecurityException("aes128gcm body shorter than its header");
        }
        ByteBuffer in = ByteBuffer.wrap(body);
        byte[] salt = new byte[SALT_LENGTH];
        in.get(salt);
        long rs = in.getInt() & 0xffffffffL;
        int idlen = in.get() & 0xff;
        if (rs < 18 || rs > Integer.MAX_VALUE) {
            throw new GeneralSecurityException("aes128gcm record size " + rs + " is invalid");
        }
        if (in.remaining() < idlen) {
            throw new GeneralSecurityException("aes128gcm body shorter than its key id");
        }
        byte[] keyId = new byte[idlen];
        in.get(keyId);
        return new Header(salt, (int) rs, keyId, SALT_LENGTH + 5 + idlen);
    }

    /**
     * Decrypts every record, checking the padding delimiters (0x01 for all records but the last, 0x02
     * for the last) so that truncation is detected. {@code ikmForKeyId} maps the header's key id to
     * the input keying material.
     */
    static byte[] decrypt(byte[] body, Function<byte[], byte[]> ikmForKeyId) throws GeneralSecurityException {
        Header header = header(body);
        byte[] prk = Primitives.hmac(header.salt(), ikmForKeyId.apply(header.keyId()));
        byte[] key = expand(prk, CEK_INFO, 16);
        byte[] baseNonce = expand(prk, NONCE_INFO, 12);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int offset = header.length();
        long seq = 0;
        if (offset == body.length) {
            throw new GeneralSecurityException("aes128gcm body has no records");
        }
        while (offset < body.length) {
            int length = Math.min(header.recordSize(), body.length - offset);
            if (length <= TAG_LENGTH) {
                throw new GeneralSecurityException("aes128gcm record " + seq + " is too short");
            }
            boolean last = offset + length == body.length;
            byte[] plain = Primitives.aesGcm(Cipher.DECRYPT_MODE, key, nonce(baseNonce, seq), body, offset, length);
            int end = plain.length - 1;
            while (end >= 0 && plain[end] == 0) {
                end--;
            }
            if (end < 0 || plain[end] != (last ? 0x02 : 0x01)) {
                throw new GeneralSecurityException("aes128gcm record " + seq + " has a bad padding delimiter");
            }
            out.write(plain, 0, end);
            offset += length;
            seq++;
        }
        return out.toByteArray();
    }

    private static byte[] nonce(byte[] base, long seq) {
        byte[] nonce = base.clone();
        for (int i = 0; i < 8; i++) {
            nonce[11 - i] ^= (byte) (seq >>> (8 * i));
        }
        return nonce;
    }

    private static byte[] expand(byte[] prk, byte[] info, int length) {
        return Arrays.copyOf(Primitives.hmac(prk, info, new byte[] {1}), length);
    }
}
