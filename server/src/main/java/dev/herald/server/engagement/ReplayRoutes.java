package dev.herald.server.engagement;

import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Caller;
import dev.herald.server.common.Ids;
import dev.herald.server.engagement.OutboxReplays.Outcome;
import dev.herald.server.engagement.OutboxReplays.Replay;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import dev.herald.server.ratelimit.Action;
import dev.herald.server.ratelimit.RateLimits;
import dev.herald.server.subscription.Subscription;
import dev.herald.server.subscription.SubscriptionStore;
import io.javalin.http.Context;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/subscriptions/{id}/replays}: the SDK's outbox reports what became of each replay of a queued
 * action (mutation id, attempt, outcome, the server's status) for the device it runs on, with the owner's user
 * token. Repeats are ignored, so the SDK resends a report until it is answered.
 */
public final class ReplayRoutes implements Router.Feature {
    static final int MAX_REPLAYS = 50;
    private static final Pattern MUTATION_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern METHOD = Pattern.compile("[A-Z]{1,10}");
    private static final Duration MAX_AGE = Duration.ofDays(30);

    private final OutboxReplays replays;
    private final SubscriptionStore subscriptions;
    private final Authenticator auth;
    private final Clock clock;
    private final RateLimits rateLimits;

    public ReplayRoutes(OutboxReplays replays, SubscriptionStore subscriptions, Authenticator auth, Clock clock, RateLimits rateLimits) {
        this.replays = replays;
        this.subscriptions = subscriptions;
        this.auth = auth;
        this.clock = clock;
        this.rateLimits = rateLimits;
    }

    @Override
    public void routes(Router router) {
        router.post("/api/v1/subscriptions/{id}/replays", this::report);
    }

    private void report(Context ctx) {
        Caller.User user = auth.requireUser(ctx);
        String id = ctx.pathParam("id");
        Subscription s = (Ids.looksValid(id) ? subscriptions.find(id) : java.util.Optional.<Subscription>empty())
                .filter(x -> user.userId().equals(x.userId()))
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "no subscription " + id + " for this caller"));
        Fields body = Fields.of(Json.readObject(ctx, 64 * 1024)).only(Set.of("replays"));
        List<Replay> parsed = new ArrayList<>();
        for (Fields r : body.objects("replays", MAX_REPLAYS)) {
            parsed.add(parse(r.only(Set.of("mutationId", "attempt", "outcome", "status", "method", "path", "at"))));
        }
        rateLimits.check(Action.EVENTS, ctx, user, null, 1);
        int recorded = replays.record(s.id(), parsed);
        Json.write(ctx, recorded > 0 ? 202 : 200, Map.of("recorded", recorded));
    }

    private Replay parse(Fields r) {
        String mutationId = r.text("mutationId", 64);
        if (!MUTATION_ID.matcher(mutationId).matches()) {
            throw r.error("mutationId", "must be 1-64 characters of A-Z a-z 0-9 _ . : -");
        }
        int attempt = (int) r.integer("attempt", 0, 1000);
        String outcomeName = r.text("outcome", 16);
        Outcome outcome = Outcome.of(outcomeName).orElseThrow(() -> r.error("outcome", "must be one of " + Outcome.names()));
        Long status = r.optionalInteger("status", 100, 599);
        String method = r.optionalText("method", 10);
        if (method != null && !METHOD.matcher(method).matches()) {
            throw r.error("method", "must be an upper-case HTTP method");
        }
        String path = r.optionalText("path", 512);
        if (path != null && !path.startsWith("/")) {
            throw r.error("path", "must be a path starting with /");
        }
        if (path != null) {
            try {
                path = URI.create(path).getRawPath(); // a query could carry secrets: only the path is kept
            } catch (IllegalArgumentException e) {
                throw r.error("path", "is not a URL path");
            }
        }
        return new Replay(mutationId, attempt, outcome, status == null ? null : status.intValue(), method, path, at(r));
    }

    private long at(Fields r) {
        return r.reportedTime("at", clock.instant(), MAX_AGE).toEpochMilli();
    }
}
