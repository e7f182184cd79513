package dev.herald.server.ratelimit;

import java.util.Locale;

/** What a bucket is keyed by. */
public enum Per {
    /** The client address ({@code ctx.ip()}, behind trusted proxies the real client); IPv6 by its /64. */
    ADDRESS,
    /** The app user (a user token's {@code sub}, or the user a request is for). */
    USER,
    /** The API key. */
    KEY,
    /** A push-service user agent (uaid). */
    AGENT,
    /** A push-service channel, i.e. one push endpoint. */
    ENDPOINT;

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Per byKey(String key) {
        for (Per p : values()) {
            if (p.key().equals(key)) {
                return p;
            }
        }
        return null;
    }
}
