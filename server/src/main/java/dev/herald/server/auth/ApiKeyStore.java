package dev.herald.server.auth;

import dev.herald.server.common.Ids;
import dev.herald.server.common.Rows;
import dev.herald.webpush.Base64Url;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * API keys: {@code hk_} plus 32 random bytes, shown once at creation and stored only as a SHA-256 hash
 * (a key has 256 bits of entropy, so a fast hash is enough; no salt or KDF is needed against guessing).
 */
public final class ApiKeyStore {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;
    private final Clock clock;

    public ApiKeyStore(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    public record Created(String id, String key) {}

    public record Info(String id, String name, Set<Scope> scopes, long createdAt, Long revokedAt) {}

    public Created create(String name, Set<Scope> scopes) {
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("an API key needs at least one scope");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String key = "hk_" + Base64Url.encode(secret);
        String id = Ids.next(clock);
        String scopeList = scopes.stream().map(Scope::token).sorted().collect(Collectors.joining(","));
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO api_keys (id, hash, name, scopes, created_at) VALUES (?, ?, ?, ?, ?)")
                .bind(0, id).bind(1, hash(key)).bind(2, name).bind(3, scopeList).bind(4, clock.millis()).execute());
        return new Created(id, key);
    }

    /** The live key with this secret, if any. */
    public Optional<Caller.Key> authenticate(String key) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, scopes FROM api_keys WHERE hash = ? AND revoked_at IS NULL")
                .bind(0, hash(key))
                .map((rs, ctx) -> new Caller.Key(rs.getString("id"), parseScopes(rs.getString("scopes"))))
                .findOne());
    }

    public List<Info> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, name, scopes, created_at, revoked_at FROM api_keys ORDER BY id")
                .map((rs, ctx) -> new Info(rs.getString("id"), rs.getString("name"), parseScopes(rs.getString("scopes")),
                        rs.getLong("created_at"), Rows.nullableLong(rs, "revoked_at")))
                .list());
    }

    /** Revokes a key by id; false when no live key has that id. */
    public boolean revoke(String id) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(0, clock.millis()).bind(1, id).execute()) == 1;
    }

    private static Set<Scope> parseScopes(String list) {
        EnumSet<Scope> out = EnumSet.noneOf(Scope.class);
        Arrays.stream(list.split(",")).filter(s -> !s.isBlank()).map(Scope::parse).forEach(out::add);
        return out;
    }

    /** SHA-256, hex: how Herald stores 256-bit random secrets (keys, console sessions). */
    public static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
