package dev.herald.server.template;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Scope;
import dev.herald.server.common.LanguageTags;
import dev.herald.server.common.Times;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code POST/GET /api/v1/templates}, {@code GET/PUT/DELETE /api/v1/templates/{name}} (manage key): named templates
 * with a default payload and per-locale variants; PUT adds a version.
 */
public final class TemplateRoutes implements Router.Feature {
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    static final int MAX_LOCALES = 64;

    private final TemplateStore store;
    private final Authenticator auth;
    private final int maxBodyBytes;
    private final Set<String> payloadFields;

    /** {@code payloadFields}: the members a notification's payload may have (checked here, filled at send time). */
    public TemplateRoutes(TemplateStore store, Authenticator auth, int maxBodyBytes, Set<String> payloadFields) {
        this.store = store;
        this.auth = auth;
        this.maxBodyBytes = maxBodyBytes;
        this.payloadFields = payloadFields;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record View(String name, int version, String description, ObjectNode payload, Map<String, ObjectNode> localized,
            Set<String> variables, String createdAt) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Summary(String name, int version, String description, Set<String> locales, String createdAt) {}

    @Override
    public void routes(Router router) {
        router.post("/api/v1/templates", ctx -> {
            auth.requireScope(ctx, Scope.MANAGE);
            Fields body = Fields.of(Json.readObject(ctx, maxBodyBytes)).only(Set.of("name", "description", "payload", "localized"));
            String name = body.text("name", 64);
            if (!NAME.matcher(name).matches()) {
                throw body.error("name", "must be 1-64 characters of a-z 0-9 _ - starting with a letter or digit");
            }
            TemplateStore.Version v = save(name, body, true).orElseThrow(() -> new ApiException(ErrorCode.CONFLICT,
                    "template '" + name + "' exists; PUT /api/v1/templates/" + name + " adds a version", "name"));
            ctx.header("Location", "/api/v1/templates/" + name);
            Json.write(ctx, 201, view(v));
        });
        router.get("/api/v1/templates", ctx -> {
            auth.requireScope(ctx, Scope.MANAGE);
            List<Summary> all = store.latest().stream().map(v -> new Summary(v.name(), v.version(), v.description(),
                    v.localized().keySet(), Times.rfc3339(v.createdAt()))).toList();
            Json.write(ctx, 200, Map.of("templates", all));
        });
        router.get("/api/v1/templates/{name}", ctx -> {
            String name = name(ctx);
            Integer version = null;
            String given = ctx.queryParam("version");
            if (given != null) {
                try {
                    version = Integer.parseInt(given);
                } catch (NumberFormatException e) {
                    throw new ApiException(ErrorCode.INVALID_PARAMETER, "version must be a positive integer");
                }
            }
            Integer v = version;
            Json.write(ctx, 200, view(store.find(name, v).orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND,
                    "no template " + name + (v == null ? "" : " version " + v)))));
        });
        router.put("/api/v1/templates/{name}", ctx -> {
            String name = name(ctx);
            Fields body = Fields.of(Json.readObject(ctx, maxBodyBytes)).only(Set.of("description", "payload", "localized"));
            TemplateStore.Version v = save(name, body, false).orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND,
                    "no template " + name + "; POST /api/v1/templates creates it"));
            Json.write(ctx, 200, view(v));
        });
        router.delete("/api/v1/templates/{name}", ctx -> {
            String name = name(ctx);
            if (!store.delete(name)) {
                throw new ApiException(ErrorCode.NOT_FOUND, "no template " + name);
            }
            ctx.status(204);
        });
    }

    private String name(Context ctx) {
        auth.requireScope(ctx, Scope.MANAGE);
        String name = ctx.pathParam("name");
        if (!NAME.matcher(name).matches()) {
            throw new ApiException(ErrorCode.INVALID_PARAMETER, "name must be 1-64 characters of a-z 0-9 _ - starting with a letter or digit");
        }
        return name;
    }

    private java.util.Optional<TemplateStore.Version> save(String name, Fields body, boolean mustBeNew) {
        String description = body.optionalText("description", 500);
        ObjectNode payload = content(body.object("payload"), true);
        Map<String, ObjectNode> localized = new LinkedHashMap<>();
        if (body.has("localized")) {
            Fields given = body.object("localized");
            if (given.rawObject().size() > MAX_LOCALES) {
                throw body.error("localized", "has more than " + MAX_LOCALES + " locales");
            }
            for (Map.Entry<String, JsonNode> e : given.rawObject().properties()) {
                String path = given.path(e.getKey());
                String tag = LanguageTags.canonical(e.getKey()).orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_LOCALE,
                        path + ": '" + e.getKey() + "' is not a known BCP 47 language tag (like de, pt-BR)", path));
                if (localized.containsKey(tag)) {
                    throw given.error(e.getKey(), "is the same locale as another key (" + tag + ")");
                }
                localized.put(tag, content(given.object(e.getKey()), false));
            }
        }
        try {
            return store.add(name, description, payload, localized, mustBeNew);
        } catch (RuntimeException e) {
            if (!duplicate(e)) {
                throw e;
            }
            // Two writers chose the same next version; one insert lost on the primary key.
            throw new ApiException(ErrorCode.CONFLICT, "template '" + name + "' was changed at the same time; retry");
        }
    }

    private static boolean duplicate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException s && ("23505".equals(s.getSQLState())
                    || String.valueOf(s.getMessage()).contains("SQLITE_CONSTRAINT"))) {
                return true;
            }
        }
        return false;
    }

    /** A payload or variant: known members only, every string compiling. */
    private ObjectNode content(Fields f, boolean needsTitle) {
        f.only(payloadFields);
        if (needsTitle) {
            f.text("title", TextTemplate.MAX_CHARS);
        }
        try {
            ContentTemplate.parse(f.rawObject());
        } catch (TemplateSyntaxException e) {
            String path = f.path(e.field());
            throw new ApiException(ErrorCode.INVALID_TEMPLATE, path + ": " + e.getMessage(), path);
        }
        return f.rawObject();
    }

    private static View view(TemplateStore.Version v) {
        Set<String> variables = new TreeSet<>(ContentTemplate.parse(v.payload()).variables());
        v.localized().values().forEach(l -> variables.addAll(ContentTemplate.parse(l).variables()));
        return new View(v.name(), v.version(), v.description(), v.payload(), v.localized(), variables,
                Times.rfc3339(v.createdAt()));
    }
}
