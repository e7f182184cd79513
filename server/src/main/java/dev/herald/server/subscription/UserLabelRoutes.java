package dev.herald.server.subscription;

import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Scope;
import dev.herald.server.auth.UserTokens;
import dev.herald.server.config.Settings;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * A user's server-owned tags and topics ({@code @…}), set by the app backend with a manage key: they hold for all
 * the user's devices, present and future, and only a manage key changes them.
 * {@code GET|PUT /api/v1/users/{userId}/tags}, {@code POST|DELETE /api/v1/users/{userId}/topics/{topic}}.
 */
public final class UserLabelRoutes implements Router.Feature {
    private final Jdbi jdbi;
    private final Authenticator auth;
    private final Settings settings;
    private final TopicRules topicRules;

    public UserLabelRoutes(Jdbi jdbi, Authenticator auth, Settings settings, TopicRules topicRules) {
        this.jdbi = jdbi;
        this.auth = auth;
        this.settings = settings;
        this.topicRules = topicRules;
    }

    record View(String userId, Map<String, String> tags, List<String> topics) {}

    @Override
    public void routes(Router router) {
        router.get("/api/v1/users/{userId}/tags", ctx -> Json.write(ctx, 200, view(user(ctx))));
        router.put("/api/v1/users/{userId}/tags", ctx -> {
            String user = user(ctx);
            Fields body = Fields.of(Json.readObject(ctx, settings.maxBodyBytes())).only(Set.of("tags"));
            Map<String, String> tags = TopicRules.tags(body, "tags");
            tags.keySet().forEach(name -> serverOwned(name, "tags." + name));
            jdbi.useTransaction(h -> {
                h.createUpdate("DELETE FROM user_tags WHERE user_id = ?").bind(0, user).execute();
                PreparedBatch insert = h.prepareBatch("INSERT INTO user_tags (user_id, name, value) VALUES (:u, :n, :v)");
                tags.forEach((n, v) -> insert.bind("u", user).bind("n", n).bind("v", v).add());
                if (!tags.isEmpty()) {
                    insert.execute();
                }
            });
            Json.write(ctx, 200, view(user));
        });
        router.post("/api/v1/users/{userId}/topics/{topic}",
                ctx -> changeTopic(ctx, "INSERT INTO user_topics (topic, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING"));
        router.delete("/api/v1/users/{userId}/topics/{topic}",
                ctx -> changeTopic(ctx, "DELETE FROM user_topics WHERE topic = ? AND user_id = ?"));
    }

    /** Joins or leaves ({@code sql} binds topic, user) a server-owned topic for all the path's user's subscriptions. */
    private void changeTopic(Context ctx, String sql) {
        String user = user(ctx);
        String topic = serverOwned(topicRules.check(ctx.pathParam("topic"), "topic"), "topic");
        jdbi.useHandle(h -> h.createUpdate(sql).bind(0, topic).bind(1, user).execute());
        Json.write(ctx, 200, view(user));
    }

    /** The path's user id, once the caller has shown a manage key. */
    private String user(Context ctx) {
        auth.requireScope(ctx, Scope.MANAGE);
        String userId = ctx.pathParam("userId");
        if (!UserTokens.USER_ID.matcher(userId).matches()) {
            throw new ApiException(ErrorCode.INVALID_PARAMETER, "userId must be 1-128 characters of A-Z a-z 0-9 . _ : @ -");
        }
        return userId;
    }

    /** User-level labels here are only server-owned ones; users join other topics through their preferences. */
    private static String serverOwned(String name, String path) {
        if (!TopicRules.serverOwned(name)) {
            throw new ApiException(ErrorCode.INVALID_FIELD, path + ": a user's tags and topics set here are server-owned and "
                    + "start with @ ('@" + name + "'); users choose other topics in their preferences", path);
        }
        return name;
    }

    private View view(String user) {
        return jdbi.withHandle(h -> view(h, user));
    }

    private static View view(Handle h, String user) {
        Map<String, String> tags = new TreeMap<>();
        h.createQuery("SELECT name, value FROM user_tags WHERE user_id = ?").bind(0, user)
                .map((rs, c) -> Map.entry(rs.getString("name"), rs.getString("value")))
                .forEach(e -> tags.put(e.getKey(), e.getValue()));
        List<String> topics = h.createQuery("SELECT topic FROM user_topics WHERE user_id = ? AND topic LIKE '@%' ORDER BY topic")
                .bind(0, user).mapTo(String.class).list();
        return new View(user, tags, topics);
    }
}
