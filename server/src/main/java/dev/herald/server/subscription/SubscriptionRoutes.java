package dev.herald.server.subscription;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Caller;
import dev.herald.server.auth.Scope;
import dev.herald.server.common.Ids;
import dev.herald.server.common.Times;
import dev.herald.server.config.Settings;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import dev.herald.server.ratelimit.Action;
import dev.herald.server.ratelimit.RateLimits;
import dev.herald.webpush.ContentEncoding;
import dev.herald.webpush.PushSubscription;
import io.javalin.http.Context;
import java.net.URI;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import dev.herald.server.common.Zones;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code POST /api/v1/subscriptions} and {@code DELETE /api/v1/subscriptions/{id}}. */
public final class SubscriptionRoutes implements Router.Feature {
    private static final Pattern LOCALE = Pattern.compile("[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}");

    private final SubscriptionStore store;
    private final PushHostPolicy policy;
    private final Authenticator auth;
    private final Settings settings;
    private final TopicRules topicRules;
    private final RateLimits rateLimits;

    public SubscriptionRoutes(SubscriptionStore store, PushHostPolicy policy, Authenticator auth, Settings settings,
            TopicRules topicRules, RateLimits rateLimits) {
        this.rateLimits = rateLimits;
        this.store = store;
        this.policy = policy;
        this.auth = auth;
        this.settings = settings;
        this.topicRules = topicRules;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record View(String id, String userId, String endpoint, String contentEncoding, String expirationTime, List<String> topics,
            Map<String, String> tags, String timezone, String locale, String createdAt, String updatedAt) {
        static View of(Subscription s) {
            return new View(s.id(), s.userId(), s.endpoint(), s.encoding(), Times.rfc3339OrNull(s.expirationTime()), s.topics(),
                    s.tags(), s.timezone(), s.locale(), Times.rfc3339(s.createdAt()), Times.rfc3339(s.updatedAt()));
        }
    }

    @Override
    public void routes(Router router) {
        router.post("/api/v1/subscriptions", this::subscribe);
        router.delete("/api/v1/subscriptions/{id}", this::unsubscribe);
        router.post("/api/v1/subscriptions/{id}/topics/{topic}", ctx -> {
            Subscription s = owned(ctx);
            String topic = settable(ctx, topicRules.check(ctx.pathParam("topic"), "topic"));
            if (!store.addTopic(s.id(), topic, topicRules.maxPerSubscription())) {
                throw new ApiException(ErrorCode.TOPIC_LIMIT, "the subscription is already in " + topicRules.maxPerSubscription()
                        + " topics; leave one first", "topic");
            }
            Json.write(ctx, 200, View.of(store.find(s.id()).orElseThrow()));
        });
        router.delete("/api/v1/subscriptions/{id}/topics/{topic}", ctx -> {
            Subscription s = owned(ctx);
            store.removeTopic(s.id(), settable(ctx, topicRules.check(ctx.pathParam("topic"), "topic")));
            Json.write(ctx, 200, View.of(store.find(s.id()).orElseThrow()));
        });
        router.put("/api/v1/subscriptions/{id}/tags", ctx -> {
            Subscription s = owned(ctx);
            Fields body = Fields.of(Json.readObject(ctx, settings.maxBodyBytes())).only(Set.of("tags"));
            Map<String, String> tags = TopicRules.tags(body, "tags");
            boolean manage = auth.caller(ctx) instanceof Caller.Key;
            if (!manage) {
                TopicRules.requireUserOwned(tags.keySet(), "tags");
            }
            store.setTags(s.id(), tags, !manage); // a user replaces their own tags; a manage key replaces all
            Json.write(ctx, 200, View.of(store.find(s.id()).orElseThrow()));
        });
    }

    private void subscribe(Context ctx) {
        Caller caller = auth.caller(ctx);
        String userId = switch (caller) {
            case Caller.User u -> u.userId();
            case Caller.Anonymous a when settings.anonymousSubscriptions() -> null;
            case Caller.Anonymous a -> throw new ApiException(ErrorCode.UNAUTHENTICATED,
                    "subscribing needs a user token (anonymous subscriptions are disabled)");
            case Caller.Key k -> throw new ApiException(ErrorCode.FORBIDDEN, "browsers subscribe with a user token, not an API key");
        };
        rateLimits.check(Action.SUBSCRIBE, ctx, caller);
        Fields body = Fields.of(Json.readObject(ctx, settings.maxBodyBytes()))
                .only(Set.of("subscription", "topics", "tags", "timezone", "locale", "userAgent", "contentEncoding"));
        Fields sub = body.object("subscription").only(Set.of("endpoint", "expirationTime", "keys"));
        String endpoint = sub.text("endpoint", 2048);
        URI uri = policy.check(endpoint);
        Fields keys = sub.object("keys").only(Set.of("p256dh", "auth"));
        String p256dh = keys.text("p256dh", 200);
        String authSecret = keys.text("auth", 100);
        PushSubscription parsed;
        try {
            parsed = PushSubscription.of(endpoint, p256dh, authSecret);
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_SUBSCRIPTION_KEYS, "subscription." + e.getMessage(), "subscription.keys");
        }
        Long expiration = sub.optionalInteger("expirationTime", 0, Long.MAX_VALUE);
        String encoding = body.has("contentEncoding") ? encoding(body) : ContentEncoding.AES128GCM.token();
        ZoneId zone = Zones.optional(body, "timezone");
        String timezone = zone == null ? null : zone.getId();
        String locale = body.optionalText("locale", 35);
        if (locale != null && !LOCALE.matcher(locale).matches()) {
            throw body.error("locale", "is not a BCP 47 language tag");
        }
        List<String> topics = body.has("topics") ? topicRules.list(body, "topics") : null;
        Map<String, String> tags = body.has("tags") ? TopicRules.tags(body, "tags") : null;
        TopicRules.requireUserOwned(topics == null ? List.of() : topics, "topics");
        TopicRules.requireUserOwned(tags == null ? Set.of() : tags.keySet(), "tags");
        SubscriptionStore.Upserted result = store.upsert(new SubscriptionStore.NewSubscription(userId, uri.toString(),
                parsed.origin(), p256dh, authSecret, encoding, expiration, timezone, locale,
                body.optionalText("userAgent", 512), topics, tags, ctx.ip()),
                new SubscriptionStore.Caps(settings.maxSubscriptionsPerUser(), settings.maxSubscriptionsPerIp()));
        Json.write(ctx, result.created() ? 201 : 200, View.of(result.subscription()));
    }

    private static String encoding(Fields body) {
        String value = body.text("contentEncoding", 16);
        try {
            return ContentEncoding.fromToken(value).token();
        } catch (IllegalArgumentException e) {
            throw body.error("contentEncoding", "must be aes128gcm or aesgcm");
        }
    }

    private void unsubscribe(Context ctx) {
        store.delete(owned(ctx).id(), "unsubscribed");
        ctx.status(204);
    }

    /** {@code topic}, if the caller may join or leave it: server-owned topics only with a manage key. */
    private String settable(Context ctx, String topic) {
        if (!(auth.caller(ctx) instanceof Caller.Key)) {
            TopicRules.requireUserOwned(List.of(topic), "topic");
        }
        return topic;
    }

    /** The path's subscription, if the caller owns it (user token) or holds a manage key; else 404. */
    private Subscription owned(Context ctx) {
        String id = ctx.pathParam("id");
        String owner = switch (auth.caller(ctx)) {
            case Caller.User u -> u.userId();
            case Caller.Key k -> {
                auth.requireScope(ctx, Scope.MANAGE);
                yield null; // a manage key may remove any subscription
            }
            case Caller.Anonymous a -> throw new ApiException(ErrorCode.UNAUTHENTICATED,
                    "changing a subscription needs the owner's user token or a manage API key");
        };
        Subscription s = Ids.looksValid(id) ? store.find(id).orElse(null) : null;
        if (s == null || (owner != null && !owner.equals(s.userId()))) {
            throw new ApiException(ErrorCode.NOT_FOUND, "no subscription " + id + " for this caller");
        }
        return s;
    }
}
