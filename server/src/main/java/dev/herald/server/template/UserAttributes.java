package dev.herald.server.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Scope;
import dev.herald.server.auth.UserTokens;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * What the app stores about a user for templates, which fill {@code {{user.<name>}}} from it:
 * {@code GET/PUT /api/v1/users/{userId}/attributes} with a manage key. A PUT replaces them all; {@code {}} clears.
 */
public final class UserAttributes implements Router.Feature {
    /** Bytes of the attributes as compact JSON. */
    public static final int MAX_BYTES = 4096;
    static final int MAX_DEPTH = 4;
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,63}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Jdbi jdbi;
    private final Authenticator auth;
    private final Clock clock;
    private final int maxBodyBytes;

    public UserAttributes(Jdbi jdbi, Authenticator auth, Clock clock, int maxBodyBytes) {
        this.jdbi = jdbi;
        this.auth = auth;
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
    }

    record View(String userId, ObjectNode attributes) {}

    @Override
    public void routes(Router router) {
        router.get("/api/v1/users/{userId}/attributes", ctx -> {
            String user = user(ctx);
            Json.write(ctx, 200, new View(user, forUsers(java.util.List.of(user)).getOrDefault(user, JSON.createObjectNode())));
        });
        router.put("/api/v1/users/{userId}/attributes", ctx -> {
            String user = user(ctx);
            Fields body = Fields.of(Json.readObject(ctx, maxBodyBytes)).only(Set.of("attributes"));
            ObjectNode attributes = check(body);
            long now = clock.millis();
            jdbi.useHandle(h -> {
                if (attributes.isEmpty()) {
                    h.createUpdate("DELETE FROM user_attributes WHERE user_id = ?").bind(0, user).execute();
                } else {
                    h.createUpdate("INSERT INTO user_attributes (user_id, attributes, updated_at) VALUES (:u, :a, :now) "
                                    + "ON CONFLICT (user_id) DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at")
                            .bind("u", user).bind("a", attributes.toString()).bind("now", now).execute();
                }
            });
            Json.write(ctx, 200, new View(user, attributes));
        });
    }

    private ObjectNode check(Fields body) {
        Fields given = body.object("attributes");
        ObjectNode attributes = given.rawObject();
        for (Map.Entry<String, JsonNode> e : attributes.properties()) {
            if (!NAME.matcher(e.getKey()).matches()) {
                throw given.error(e.getKey(), "is not an attribute name (1-64 of A-Z a-z 0-9 _ -, starting with a letter or _)");
            }
            if (e.getKey().equals("id")) {
                throw given.error("id", "is reserved: {{user.id}} is always the user's id");
            }
            if (depth(e.getValue()) > MAX_DEPTH) {
                throw given.error(e.getKey(), "nests deeper than " + MAX_DEPTH + " levels");
            }
        }
        int bytes = attributes.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new ApiException(ErrorCode.ATTRIBUTES_TOO_LARGE, "attributes are " + bytes + " bytes of JSON; at most "
                    + MAX_BYTES + " are kept per user", "attributes");
        }
        return attributes;
    }

    private static int depth(JsonNode node) {
        int inner = 0;
        for (JsonNode child : node) {
            inner = Math.max(inner, depth(child));
        }
        return node.isContainerNode() ? inner + 1 : 0;
    }

    private String user(Context ctx) {
        auth.requireScope(ctx, Scope.MANAGE);
        String userId = ctx.pathParam("userId");
        if (!UserTokens.USER_ID.matcher(userId).matches()) {
            throw new ApiException(ErrorCode.INVALID_PARAMETER, "userId must be 1-128 characters of A-Z a-z 0-9 . _ : @ -");
        }
        return userId;
    }

    /** The stored attributes of each of {@code userIds} that has any. */
    public Map<String, ObjectNode> forUsers(Collection<String> userIds) {
        return jdbi.withHandle(h -> forUsers(h, userIds));
    }

    /** As {@link #forUsers(Collection)}, on the caller's handle. */
    public static Map<String, ObjectNode> forUsers(Handle h, Collection<String> userIds) {
        Map<String, ObjectNode> out = new HashMap<>();
        if (userIds.isEmpty()) {
            return out;
        }
        h.createQuery("SELECT user_id, attributes FROM user_attributes WHERE user_id IN (<ids>)")
                .bindList("ids", new ArrayList<>(userIds))
                .map((rs, c) -> Map.entry(rs.getString("user_id"), rs.getString("attributes")))
                .forEach(e -> {
                    try {
                        out.put(e.getKey(), (ObjectNode) JSON.readTree(e.getValue()));
                    } catch (IOException ex) {
                        throw new IllegalStateException("stored attributes are not JSON", ex);
                    }
                });
        return out;
    }
}
