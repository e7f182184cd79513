package dev.herald.server.admin;

import dev.herald.server.auth.ApiKeyStore;
import dev.herald.webpush.Base64Url;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Console sessions, stored durably (a restart or another node keeps them) as the SHA-256 of a 256-bit random id.
 * A session lives {@link #LIFETIME} and dies with its API key: revoking the key signs its sessions out. The CSRF
 * token is derived from the session id (one-way), so it needs no column and cannot be turned back into the cookie.
 */
final class AdminSessions {
    /** A working day; the console signs in again after it. */
    static final Duration LIFETIME = Duration.ofHours(8);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;
    private final Clock clock;

    AdminSessions(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** A live session: the key it was opened with, when it ends, and the token state-changing requests must echo. */
    record Session(String apiKeyId, long expiresAt, String csrfToken) {}

    /** A new session's cookie value and its record. */
    record Opened(String id, Session session) {}

    Opened open(String apiKeyId) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String id = Base64Url.encode(secret);
        long now = clock.millis();
        long expiresAt = now + LIFETIME.toMillis();
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO admin_sessions (id_hash, api_key_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
                .bind(0, sha256("session:" + id)).bind(1, apiKeyId).bind(2, now).bind(3, expiresAt).execute());
        return new Opened(id, new Session(apiKeyId, expiresAt, csrf(id)));
    }

    /** The session with this cookie value, if it is unexpired and its key is not revoked. */
    Optional<Session> find(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT s.api_key_id, s.expires_at FROM admin_sessions s JOIN api_keys k "
                        + "ON k.id = s.api_key_id WHERE s.id_hash = ? AND s.expires_at > ? AND k.revoked_at IS NULL")
                .bind(0, sha256("session:" + id)).bind(1, clock.millis())
                .map((rs, ctx) -> new Session(rs.getString("api_key_id"), rs.getLong("expires_at"), csrf(id)))
                .findOne());
    }

    void close(String id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM admin_sessions WHERE id_hash = ?").bind(0, sha256("session:" + id)).execute());
    }

    /** Removes expired sessions; returns how many. */
    int prune() {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM admin_sessions WHERE expires_at <= ?").bind(0, clock.millis()).execute());
    }

    private static String csrf(String id) {
        return sha256("csrf:" + id).substring(0, 43);
    }

    private static String sha256(String s) {
        return ApiKeyStore.hash(s);
    }
}
