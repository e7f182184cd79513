package dev.herald.webpush;

/** The payload encryption schemes push services accept, by their {@code Content-Encoding} token. */
public enum ContentEncoding {
    /** RFC 8291 over RFC 8188: salt and sender key travel in the body. Every current browser. */
    AES128GCM("aes128gcm", 4096 - 86 - 1 - Ece.TAG_LENGTH),
    /** draft-ietf-webpush-encryption-04: salt and key in {@code Encryption}/{@code Crypto-Key} headers. Old browsers. */
    AESGCM("aesgcm", 4096 - 2 - Ece.TAG_LENGTH);

    private final String token;
    private final int maxPlaintext;

    ContentEncoding(String token, int maxPlaintext) {
        this.token = token;
        this.maxPlaintext = maxPlaintext;
    }

    /** The {@code Content-Encoding} header value. */
    public String token() {
        return token;
    }

    /**
     * The most plaintext bytes that fit a 4096-byte push message with no padding: 3993 for aes128gcm
     * (4096 minus the 86-byte header, the delimiter and the tag), 4078 for aesgcm.
     */
    public int maxPlaintext() {
        return maxPlaintext;
    }

    public static ContentEncoding fromToken(String token) {
        for (ContentEncoding e : values()) {
            if (e.token.equalsIgnoreCase(token)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown content encoding '" + token + "' (expected aes128gcm or aesgcm)");
    }
}
