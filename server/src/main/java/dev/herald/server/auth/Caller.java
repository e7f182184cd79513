package dev.herald.server.auth;

import java.util.Set;

/** Who is making a request, as established from its {@code Authorization} header. */
public sealed interface Caller {
    /** A browser acting for an app user, with a user token. */
    record User(String userId) implements Caller {}

    /** An app backend or operator, with an API key. */
    record Key(String keyId, Set<Scope> scopes) implements Caller {
        public boolean allows(Scope scope) {
            return scopes.contains(Scope.ADMIN) || scopes.contains(scope);
        }
    }

    /** No credentials. */
    record Anonymous() implements Caller {}

    /** Identity for scoping stored things (idempotency keys, ownership): stable per caller. */
    default String identity() {
        return switch (this) {
            case User u -> "user:" + u.userId();
            case Key k -> "key:" + k.keyId();
            case Anonymous a -> "anonymous";
        };
    }
}
