package dev.herald.server.admin;

import dev.herald.server.auth.ApiKeyStore;
import dev.herald.server.auth.Scope;
import dev.herald.server.common.Ids;
import dev.herald.server.common.Times;
import dev.herald.server.config.Settings;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import java.lang.reflect.RecordComponent;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * API keys (list; create, the secret shown once in the answer; revoke) and the effective settings with secrets
 * redacted, plus the VAPID public key subscriptions must be made with.
 */
final class KeyRoutes implements Router.Feature {
    /** Settings whose values are secrets (any key but the VAPID public one): never shown, only whether they are set. */
    private static final Pattern SECRET = Pattern.compile("(?i)(?!vapidPublicKey$).*(password|secret|key)$");
    /** Credentials a JDBC URL may carry in its query ({@code ?password=…}) or user-info. */
    private static final Pattern URL_CREDENTIALS = Pattern.compile("(?i)(password|user)=[^&;]*|//[^/@]*@");

    private final AdminAuth adminAuth;
    private final ApiKeyStore keys;
    private final Settings settings;
    private final String vapidPublicKey;

    KeyRoutes(AdminAuth adminAuth, ApiKeyStore keys, Settings settings, String vapidPublicKey) {
        this.adminAuth = adminAuth;
        this.keys = keys;
        this.settings = settings;
        this.vapidPublicKey = vapidPublicKey;
    }

    @Override
    public void routes(Router router) {
        router.get("/api/v1/admin/keys", ctx -> {
            adminAuth.require(ctx);
            Json.write(ctx, 200, Map.of("items", keys.list().stream().map(KeyRoutes::view).toList()));
        });
        router.post("/api/v1/admin/keys", ctx -> {
            adminAuth.require(ctx);
            Fields body = Fields.of(Json.readObject(ctx, settings.maxBodyBytes())).only(Set.of("name", "scopes"));
            String name = body.text("name", 100);
            EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
            for (String s : body.textArray("scopes", 3, 16)) {
                try {
                    scopes.add(Scope.parse(s));
                } catch (IllegalArgumentException e) {
                    throw body.error("scopes", e.getMessage());
                }
            }
            if (scopes.isEmpty()) {
                throw body.error("scopes", "must name at least one of send, manage, admin");
            }
            ApiKeyStore.Created created = keys.create(name, scopes);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", created.id());
            out.put("name", name);
            out.put("scopes", scopes.stream().map(Scope::token).toList());
            out.put("key", created.key());
            ctx.header("Cache-Control", "no-store");
            Json.write(ctx, 201, out);
        });
        router.delete("/api/v1/admin/keys/{id}", ctx -> {
            adminAuth.require(ctx);
            String id = ctx.pathParam("id");
            if (!Ids.looksValid(id) || !keys.revoke(id)) {
                throw new ApiException(ErrorCode.NOT_FOUND, "no live API key " + id);
            }
            ctx.status(204);
        });
        router.get("/api/v1/admin/settings", ctx -> {
            adminAuth.require(ctx);
            Json.write(ctx, 200, Map.of("vapidPublicKey", vapidPublicKey, "settings", effective(settings)));
        });
    }

    private static Map<String, Object> view(ApiKeyStore.Info k) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", k.id());
        out.put("name", k.name());
        out.put("scopes", k.scopes().stream().map(Scope::token).toList());
        out.put("createdAt", Times.rfc3339(k.createdAt()));
        out.put("revokedAt", Times.rfc3339OrNull(k.revokedAt()));
        return out;
    }

    /** Every setting by its record name; secrets become {@code <redacted>} (or {@code <unset>}). */
    static Map<String, Object> effective(Settings settings) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : Settings.class.getRecordComponents()) {
            Object value;
            try {
                value = c.getAccessor().invoke(settings);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (SECRET.matcher(c.getName()).matches()) {
                value = value == null || value.toString().isEmpty() ? "<unset>" : "<redacted>";
            } else if (c.getName().toLowerCase(Locale.ROOT).endsWith("url") && value != null) {
                value = URL_CREDENTIALS.matcher(value.toString()).replaceAll(m -> m.group().startsWith("//") ? "//<redacted>@"
                        : m.group(1) + "=<redacted>");
            } else if (value instanceof List<?> list) {
                // Settings' own records (categories, collections) as objects; anything else (CIDRs) as text
                value = list.stream().map(e -> e instanceof String || e.getClass().getEnclosingClass() == Settings.class ? e
                        : e.toString()).toList();
            } else if (value != null && !(value instanceof Number || value instanceof Boolean)) {
                value = value.toString();
            }
            out.put(c.getName(), value);
        }
        return out;
    }
}
