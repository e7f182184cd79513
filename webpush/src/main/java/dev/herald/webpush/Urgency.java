package dev.herald.webpush;

/** RFC 8030 section 5.3 {@code Urgency}: how eagerly a push service should wake a device. */
public enum Urgency {
    VERY_LOW("very-low"), LOW("low"), NORMAL("normal"), HIGH("high");

    private final String token;

    Urgency(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }

    public static Urgency fromToken(String token) {
        for (Urgency u : values()) {
            if (u.token.equals(token)) {
                return u;
            }
        }
        throw new IllegalArgumentException("urgency must be one of very-low, low, normal, high; got '" + token + "'");
    }
}
