package dev.herald.server.engagement;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Caller;
import dev.herald.server.auth.Scope;
import dev.herald.server.common.Ids;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import dev.herald.server.ratelimit.Action;
import dev.herald.server.ratelimit.RateLimits;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/events} (from service workers: received, shown, clicked, closed, action) and
 * {@code GET /api/v1/stats} (per-category aggregates for the app backend).
 *
 * <p>An event is authenticated by the delivery's receipt (in the push payload) or by a user token whose user was
 * sent the notification. Repeats of the same event for the same subscription are ignored, so a service worker
 * may retry freely.
 */
public final class EventRoutes implements Router.Feature {
    private static final Set<String> TYPES = Set.of("received", "shown", "clicked", "closed", "action");
    private static final Pattern ACTION = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Duration MAX_AGE = Duration.ofDays(7);
    private static final Duration DEFAULT_STATS_WINDOW = Duration.ofDays(7);
    private static final Duration MAX_STATS_WINDOW = Duration.ofDays(366);

    private final EventStore store;
    private final Receipts receipts;
    private final Authenticator auth;
    private final Clock clock;
    private final RateLimits rateLimits;

    public EventRoutes(EventStore store, Receipts receipts, Authenticator auth, Clock clock, RateLimits rateLimits) {
        this.rateLimits = rateLimits;
        this.store = store;
        this.receipts = receipts;
        this.auth = auth;
        this.clock = clock;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Stat(String category, long notifications, long targeted, long sent, long suppressed, long failed, long expired,
            long gone, long cancelled, long delivered, long shown, long clicked, long closed, Double clickThroughRate) {}

    @Override
    public void routes(Router router) {
        router.post("/api/v1/events", this::event);
        router.get("/api/v1/stats", this::stats);
    }

    private void event(Context ctx) {
        Fields body = Fields.of(Json.readObject(ctx, 4096)).only(Set.of("notificationId", "type", "action", "at", "receipt"));
        String notificationId = body.text("notificationId", 26);
        if (!Ids.looksValid(notificationId)) {
            throw body.error("notificationId", "is not a notification id");
        }
        String type = body.text("type", 16);
        if (!TYPES.contains(type)) {
            throw body.error("type", "must be one of received, shown, clicked, closed, action");
        }
        String action = body.optionalText("action", 64);
        if (type.equals("action") != (action != null)) {
            throw body.error("action", type.equals("action") ? "is required for type action" : "is only for type action");
        }
        if (action != null && !ACTION.matcher(action).matches()) {
            throw body.error("action", "must be 1-64 characters of A-Z a-z 0-9 _ . : -");
        }
        long at = at(body);
        String subscriptionId = recipient(ctx, body, notificationId);
        if (action != null && !store.declaresAction(notificationId, action)) {
            throw new ApiException(ErrorCode.UNKNOWN_ACTION, "notification " + notificationId + " has no action '" + action + "'",
                    "action");
        }
        Caller caller = auth.caller(ctx);
        // Per user; a receipt (no user token) stands for its subscription. A forged receipt failed above, on its HMAC.
        rateLimits.check(Action.EVENTS, ctx, caller, caller instanceof Caller.User ? null : "subscription:" + subscriptionId, 1);
        boolean recorded = store.record(notificationId, subscriptionId, type, action == null ? "" : action, at);
        Json.write(ctx, recorded ? 202 : 200, Map.of("recorded", recorded));
    }

    /** The subscription the event is for, proven by the receipt or the user token; else 403 not-a-recipient. */
    private String recipient(Context ctx, Fields body, String notificationId) {
        if (body.has("receipt")) {
            String receipt = body.text("receipt", 100);
            return receipts.verify(notificationId, receipt).filter(s -> store.wasSent(notificationId, s))
                    .orElseThrow(() -> new ApiException(ErrorCode.NOT_A_RECIPIENT, "the receipt is not valid for notification "
                            + notificationId, "receipt"));
        }
        return switch (auth.caller(ctx)) {
            case Caller.User u -> store.sentToUser(notificationId, u.userId()).orElseThrow(() -> new ApiException(
                    ErrorCode.NOT_A_RECIPIENT, "notification " + notificationId + " was not sent to user " + u.userId()));
            case Caller.Anonymous a -> throw new ApiException(ErrorCode.UNAUTHENTICATED,
                    "an event needs the receipt from the push payload or a user token");
            case Caller.Key k -> throw new ApiException(ErrorCode.FORBIDDEN, "events come from browsers, not API keys");
        };
    }

    private long at(Fields body) {
        Instant now = clock.instant();
        return body.has("at") ? body.reportedTime("at", now, MAX_AGE).toEpochMilli() : now.toEpochMilli();
    }

    private void stats(Context ctx) {
        auth.requireScope(ctx, Scope.SEND);
        Instant now = clock.instant();
        Instant to = instantParam(ctx, "until", now);
        Instant from = instantParam(ctx, "since", to.minus(DEFAULT_STATS_WINDOW));
        if (!from.isBefore(to) || Duration.between(from, to).compareTo(MAX_STATS_WINDOW) > 0) {
            throw new ApiException(ErrorCode.INVALID_PARAMETER, "since must be before until, at most 366 days apart", "since");
        }
        List<Stat> rows = store.stats(from.toEpochMilli(), to.toEpochMilli()).stream()
                .map(s -> new Stat(s.category(), s.notifications(), s.targeted(), s.sent(), s.suppressed(), s.failed(),
                        s.expired(), s.gone(), s.cancelled(), s.delivered(), s.shown(), s.clicked(), s.closed(),
                        s.clickThroughRate()))
                .toList();
        Json.write(ctx, 200, Map.of("since", from.toString(), "until", to.toString(), "categories", rows));
    }

    private static Instant instantParam(Context ctx, String name, Instant absent) {
        String v = ctx.queryParam(name);
        if (v == null || v.isEmpty()) {
            return absent;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new ApiException(ErrorCode.INVALID_PARAMETER, name + " must be an RFC 3339 UTC time", name);
        }
    }
}
