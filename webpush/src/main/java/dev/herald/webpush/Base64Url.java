package dev.herald.webpush;

import java.util.Base64;

/**
 * Unpadded base64url, the encoding Web Push uses for keys, salts and tokens. Decoding also accepts
 * padded input and the standard alphabet, because keys pasted from other tools often come that way.
 * Thread-safe; stateless.
 */
public final class Base64Url {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Base64Url() {}

    public static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    /**
     * Decodes {@code text}, naming {@code what} in the error so the caller's message says which
     * field was malformed.
     *
     * @throws IllegalArgumentException if the text is not base64url
     */
    public static byte[] decode(String text, String what) {
        if (text == null) {
            throw new IllegalArgumentException(what + " is missing");
        }
        String s = text.strip().replace('+', '-').replace('/', '_');
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') {
            end--;
        }
        try {
            return DECODER.decode(s.substring(0, end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64url");
        }
    }
}
