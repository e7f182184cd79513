package dev.herald.server.auth;

import java.util.Locale;

/** What an API key may do. {@code admin} implies the others. */
public enum Scope {
    SEND, MANAGE, ADMIN;

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Scope parse(String token) {
        for (Scope s : values()) {
            if (s.token().equals(token.strip().toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scope '" + token + "' (send, manage or admin)");
    }
}
