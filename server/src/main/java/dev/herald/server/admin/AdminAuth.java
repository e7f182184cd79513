package dev.herald.server.admin;

import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Caller;
import dev.herald.server.auth.Scope;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import io.javalin.http.Context;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Who may call {@code /api/v1/admin/…}: a console session (cookie, plus the CSRF token in {@value #CSRF_HEADER} on
 * every state-changing request) or, for scripts, an API key with the {@code admin} scope itself. User tokens and
 * send/manage keys are refused: {@code admin} implying the other scopes does not work the other way round.
 */
final class AdminAuth {
    static final String COOKIE = "herald_admin";
    static final String CSRF_HEADER = "X-CSRF-Token";
    /** The cookie goes to the admin API only, never to the app's routes or pages. */
    static final String COOKIE_PATH = "/api/v1/admin";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private final AdminSessions sessions;
    private final Authenticator auth;
    private final Supplier<URI> publicUrl;

    AdminAuth(AdminSessions sessions, Authenticator auth, Supplier<URI> publicUrl) {
        this.sessions = sessions;
        this.auth = auth;
        this.publicUrl = publicUrl;
    }

    /** The admin caller of this request, or a 401/403 problem. */
    Caller.Key require(Context ctx) {
        String header = ctx.header("Authorization");
        if (header != null && !header.isBlank()) {
            return adminKey(auth.caller(ctx));
        }
        String id = ctx.cookie(COOKIE);
        if (id == null || id.isEmpty()) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "sign in to the console at /admin/, or use an API key with the 'admin' scope");
        }
        AdminSessions.Session session = sessions.find(id).orElseThrow(() -> new ApiException(ErrorCode.UNAUTHENTICATED,
                "the console session has expired or was signed out; sign in again"));
        if (!SAFE_METHODS.contains(ctx.method().name())) {
            checkCsrf(ctx.header(CSRF_HEADER), session.csrfToken());
        }
        Caller.Key caller = new Caller.Key(session.apiKeyId(), EnumSet.of(Scope.ADMIN));
        auth.assume(ctx, caller);
        return caller;
    }

    /** An API key that itself carries the admin scope; anything else is refused. */
    static Caller.Key adminKey(Caller caller) {
        return switch (caller) {
            case Caller.Key k when k.scopes().contains(Scope.ADMIN) -> k;
            case Caller.Key k -> throw new ApiException(ErrorCode.FORBIDDEN, "the admin API needs an API key with the 'admin' scope");
            case Caller.User u -> throw new ApiException(ErrorCode.FORBIDDEN, "the admin API is not for user tokens");
            case Caller.Anonymous a -> throw new ApiException(ErrorCode.UNAUTHENTICATED, "the admin API needs an admin session or key");
        };
    }

    private static void checkCsrf(String given, String expected) {
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(ErrorCode.CSRF_TOKEN_INVALID, "state-changing console requests need the session's token in "
                    + CSRF_HEADER);
        }
    }

    /** The {@code Set-Cookie} value for a session, or (id null) one that deletes it. */
    String cookie(String id, long maxAgeSeconds) {
        boolean https = publicUrl.get() != null && "https".equalsIgnoreCase(publicUrl.get().getScheme());
        return COOKIE + "=" + (id == null ? "" : id) + "; Path=" + COOKIE_PATH + "; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=Strict" + (https ? "; Secure" : "");
    }
}
