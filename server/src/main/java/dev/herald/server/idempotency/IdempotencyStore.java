package dev.herald.server.idempotency;

import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The stored Idempotency-Key records: claimed before processing, completed with the response, pruned after expiry. */
final class IdempotencyStore {
    private final Jdbi jdbi;

    IdempotencyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** What to do with a request carrying a key. */
    sealed interface Begin {
        record Proceed() implements Begin {}

        record Replay(int status, String contentType, String body) implements Begin {}

        record InFlight() implements Begin {}

        record Mismatch() implements Begin {}
    }

    private record Row(String fingerprint, String state, Integer status, String contentType, String body, long leaseUntil,
            long expiresAt) {}

    Begin begin(String scope, String key, String fingerprint, long now, long leaseUntil, long expiresAt) {
        for (int attempt = 0; attempt < 3; attempt++) {
            int inserted = jdbi.withHandle(h -> h.createUpdate("INSERT INTO idempotency_keys (scope, idem_key, fingerprint, "
                            + "state, lease_until, expires_at) VALUES (?, ?, ?, 'in_flight', ?, ?) ON CONFLICT DO NOTHING")
                    .bind(0, scope).bind(1, key).bind(2, fingerprint).bind(3, leaseUntil).bind(4, expiresAt).execute());
            if (inserted == 1) {
                return new Begin.Proceed();
            }
            Optional<Row> row = jdbi.withHandle(h -> h.createQuery("SELECT fingerprint, state, status, content_type, body, "
                            + "lease_until, expires_at FROM idempotency_keys WHERE scope = ? AND idem_key = ?")
                    .bind(0, scope).bind(1, key)
                    .map((rs, ctx) -> new Row(rs.getString("fingerprint"), rs.getString("state"),
                            dev.herald.server.common.Rows.nullableLong(rs, "status") == null ? null : rs.getInt("status"),
                            rs.getString("content_type"), rs.getString("body"), rs.getLong("lease_until"), rs.getLong("expires_at")))
                    .findOne());
            if (row.isEmpty()) {
                continue; // pruned between the two statements: insert again
            }
            Row r = row.get();
            boolean expired = r.expiresAt() <= now;
            boolean abandoned = r.state().equals("in_flight") && r.leaseUntil() <= now;
            if (expired || abandoned) {
                int taken = jdbi.withHandle(h -> h.createUpdate("UPDATE idempotency_keys SET fingerprint = ?, state = 'in_flight', "
                                + "status = NULL, content_type = NULL, body = NULL, lease_until = ?, expires_at = ? "
                                + "WHERE scope = ? AND idem_key = ? AND lease_until = ? AND expires_at = ?")
                        .bind(0, fingerprint).bind(1, leaseUntil).bind(2, expiresAt).bind(3, scope).bind(4, key)
                        .bind(5, r.leaseUntil()).bind(6, r.expiresAt()).execute());
                if (taken == 1) {
                    return new Begin.Proceed();
                }
                continue; // someone else took it over first: look again
            }
            if (r.state().equals("in_flight")) {
                return new Begin.InFlight(); // whatever its body, the first request has not finished
            }
            if (!r.fingerprint().equals(fingerprint)) {
                return new Begin.Mismatch();
            }
            return new Begin.Replay(r.status(), r.contentType(), r.body());
        }
        return new Begin.InFlight();
    }

    /** Records the response; with {@code h} inside the transaction that made the request's effect. */
    void complete(Handle h, String scope, String key, int status, String contentType, String body) {
        h.createUpdate("UPDATE idempotency_keys SET state = 'done', status = ?, content_type = ?, body = ? "
                        + "WHERE scope = ? AND idem_key = ? AND state = 'in_flight'")
                .bind(0, status).bind(1, contentType).bind(2, body).bind(3, scope).bind(4, key).execute();
    }

    void complete(String scope, String key, int status, String contentType, String body) {
        jdbi.useHandle(h -> complete(h, scope, key, status, contentType, body));
    }

    /** Forgets an in-flight key whose request failed, so the client may fix it and retry with the same key. */
    void release(String scope, String key) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM idempotency_keys WHERE scope = ? AND idem_key = ? AND state = 'in_flight'")
                .bind(0, scope).bind(1, key).execute());
    }

    int prune(long now) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM idempotency_keys WHERE expires_at <= ?").bind(0, now).execute());
    }
}
