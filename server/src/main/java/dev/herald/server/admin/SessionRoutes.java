package dev.herald.server.admin;

import dev.herald.server.auth.ApiKeyStore;
import dev.herald.server.auth.Caller;
import dev.herald.server.common.Times;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/v1/admin/session} signs in with an admin-scope API key (in the body, never stored by the
 * browser) and sets the session cookie; {@code GET} tells a reloaded page its CSRF token; {@code DELETE} signs out.
 */
final class SessionRoutes implements Router.Feature {
    private final AdminSessions sessions;
    private final AdminAuth adminAuth;
    private final ApiKeyStore keys;
    private final int maxBodyBytes;

    SessionRoutes(AdminSessions sessions, AdminAuth adminAuth, ApiKeyStore keys, int maxBodyBytes) {
        this.sessions = sessions;
        this.adminAuth = adminAuth;
        this.keys = keys;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void routes(Router router) {
        router.post("/api/v1/admin/session", ctx -> {
            Fields body = Fields.of(Json.readObject(ctx, maxBodyBytes)).only(Set.of("apiKey"));
            String key = body.text("apiKey", 200);
            Caller.Key caller = keys.authenticate(key)
                    .orElseThrow(() -> new ApiException(ErrorCode.INVALID_API_KEY, "the API key is unknown or revoked"));
            AdminAuth.adminKey(caller);
            AdminSessions.Opened opened = sessions.open(caller.keyId());
            ctx.header("Set-Cookie", adminAuth.cookie(opened.id(), AdminSessions.LIFETIME.toSeconds()));
            ctx.header("Cache-Control", "no-store");
            Json.write(ctx, 201, view(opened.session()));
        });
        router.get("/api/v1/admin/session", ctx -> {
            adminAuth.require(ctx);
            AdminSessions.Session session = sessions.find(ctx.cookie(AdminAuth.COOKIE)).orElseThrow(() ->
                    new ApiException(ErrorCode.UNAUTHENTICATED, "no console session (API keys need none)"));
            ctx.header("Cache-Control", "no-store");
            Json.write(ctx, 200, view(session));
        });
        router.delete("/api/v1/admin/session", ctx -> {
            adminAuth.require(ctx);
            String id = ctx.cookie(AdminAuth.COOKIE);
            if (id != null) {
                sessions.close(id);
            }
            ctx.header("Set-Cookie", adminAuth.cookie(null, 0));
            ctx.status(204);
        });
    }

    private static Map<String, Object> view(AdminSessions.Session s) {
        return Map.of("apiKeyId", s.apiKeyId(), "expiresAt", Times.rfc3339(s.expiresAt()), "csrfToken", s.csrfToken());
    }
}
