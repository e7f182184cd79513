package dev.herald.server.auth;

import dev.herald.server.common.Times;
import dev.herald.server.config.Settings;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import dev.herald.server.ratelimit.Action;
import dev.herald.server.ratelimit.RateLimits;
import java.time.Duration;
import java.util.Set;

/** {@code POST /api/v1/users/{userId}/tokens}: an app backend with a {@code manage} key mints a user token. */
public final class TokenRoutes implements Router.Feature {
    /** Its responses are live tokens: Idempotency-Key records of this route keep no body. */
    public static final String PATH = "/api/v1/users/{userId}/tokens";
    private final UserTokens tokens;
    private final Authenticator auth;
    private final Settings settings;
    private final RateLimits rateLimits;

    public TokenRoutes(UserTokens tokens, Authenticator auth, Settings settings, RateLimits rateLimits) {
        this.rateLimits = rateLimits;
        this.tokens = tokens;
        this.auth = auth;
        this.settings = settings;
    }

    record Token(String token, String userId, String expiresAt) {}

    @Override
    public void routes(Router router) {
        router.post(PATH, ctx -> {
            auth.requireScope(ctx, Scope.MANAGE);
            String userId = ctx.pathParam("userId");
            if (!UserTokens.USER_ID.matcher(userId).matches()) {
                throw new ApiException(ErrorCode.INVALID_PARAMETER, "userId must be 1-128 characters of A-Z a-z 0-9 . _ : @ -");
            }
            rateLimits.check(Action.TOKEN_MINT, ctx, auth.caller(ctx), userId, 1);
            Duration ttl = settings.userTokenTtl();
            var given = Json.readOptionalObject(ctx, settings.maxBodyBytes());
            if (given != null) {
                Fields body = Fields.of(given).only(Set.of("ttl"));
                Long seconds = body.optionalInteger("ttl", 60, settings.userTokenTtl().toSeconds());
                if (seconds != null) {
                    ttl = Duration.ofSeconds(seconds);
                }
            }
            UserTokens.Minted minted = tokens.mint(userId, ttl);
            Json.write(ctx, 201, new Token(minted.token(), userId, Times.rfc3339(minted.expiresAt())));
        });
    }
}
