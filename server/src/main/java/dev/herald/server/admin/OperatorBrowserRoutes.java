package dev.herald.server.admin;

import dev.herald.server.auth.Caller;
import dev.herald.server.auth.UserTokens;
import dev.herald.server.common.Times;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import java.time.Duration;
import java.util.Map;

/**
 * {@code POST /api/v1/admin/my-browser/token}: "send to my browser" in the console subscribes the operator's own
 * browser through the public subscription API, as an app's page does; this gives it the user token for that, for
 * the user {@code console:<admin key id>}, valid a few minutes. The subscription is then an ordinary device.
 */
final class OperatorBrowserRoutes implements Router.Feature {
    static final String USER_PREFIX = "console:";
    private static final Duration TTL = Duration.ofMinutes(10);

    private final AdminAuth adminAuth;
    private final UserTokens userTokens;

    OperatorBrowserRoutes(AdminAuth adminAuth, UserTokens userTokens) {
        this.adminAuth = adminAuth;
        this.userTokens = userTokens;
    }

    @Override
    public void routes(Router router) {
        router.post("/api/v1/admin/my-browser/token", ctx -> {
            Caller.Key operator = adminAuth.require(ctx);
            String userId = USER_PREFIX + operator.keyId();
            UserTokens.Minted minted = userTokens.mint(userId, TTL);
            ctx.header("Cache-Control", "no-store");
            Json.write(ctx, 201, Map.of("userId", userId, "userToken", minted.token(), "expiresAt", Times.rfc3339(minted.expiresAt())));
        });
    }
}
