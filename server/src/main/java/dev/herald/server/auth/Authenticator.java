package dev.herald.server.auth;

import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns the {@code Authorization} header into a {@link Caller}, and enforces what a route needs. */
public final class Authenticator {
    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
    private static final String ATTRIBUTE = "herald.caller";

    private final ApiKeyStore keys;
    private final UserTokens tokens;

    public Authenticator(ApiKeyStore keys, UserTokens tokens) {
        this.keys = keys;
        this.tokens = tokens;
    }

    public Caller caller(Context ctx) {
        Caller cached = ctx.attribute(ATTRIBUTE);
        if (cached != null) {
            return cached;
        }
        Caller caller = identify(ctx.header("Authorization"));
        ctx.attribute(ATTRIBUTE, caller);
        return caller;
    }

    /**
     * Sets who is calling when something other than the {@code Authorization} header established it (the admin
     * console's session cookie), so routes the console shares with the API see the same caller.
     */
    public void assume(Context ctx, Caller caller) {
        ctx.attribute(ATTRIBUTE, caller);
    }

    private Caller identify(String header) {
        if (header == null || header.isBlank()) {
            return new Caller.Anonymous();
        }
        String[] parts = header.strip().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "use 'Authorization: Bearer <API key or user token>'");
        }
        String credential = parts[1];
        if (credential.startsWith("hk_")) {
            return keys.authenticate(credential)
                    .orElseThrow(() -> new ApiException(ErrorCode.INVALID_API_KEY, "the API key is unknown or revoked"));
        }
        try {
            return new Caller.User(tokens.verify(credential));
        } catch (IllegalArgumentException e) {
            log.debug("user token refused: {}", e.getMessage());
            throw new ApiException(ErrorCode.INVALID_TOKEN, "the user token is invalid or expired");
        }
    }

    public Caller.User requireUser(Context ctx) {
        return switch (caller(ctx)) {
            case Caller.User u -> u;
            case Caller.Anonymous a -> throw new ApiException(ErrorCode.UNAUTHENTICATED, "this route needs a user token");
            case Caller.Key k -> throw new ApiException(ErrorCode.FORBIDDEN, "this route is for browsers with a user token, not API keys");
        };
    }

    public Caller.Key requireScope(Context ctx, Scope scope) {
        return switch (caller(ctx)) {
            case Caller.Key k when k.allows(scope) -> k;
            case Caller.Key k -> throw new ApiException(ErrorCode.FORBIDDEN, "this API key lacks the '" + scope.token() + "' scope");
            case Caller.Anonymous a -> throw new ApiException(ErrorCode.UNAUTHENTICATED, "this route needs an API key with the '" + scope.token() + "' scope");
            case Caller.User u -> throw new ApiException(ErrorCode.FORBIDDEN, "this route needs an API key, not a user token");
        };
    }
}
