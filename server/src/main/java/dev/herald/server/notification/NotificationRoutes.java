package dev.herald.server.notification;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Caller;
import dev.herald.server.auth.Scope;
import dev.herald.server.common.Ids;
import dev.herald.server.common.Times;
import dev.herald.server.delivery.DeliveryState;
import dev.herald.server.digest.DigestSpec;
import dev.herald.server.digest.Digests;
import dev.herald.server.engagement.EventStore;
import dev.herald.server.subscription.TopicRules;
import dev.herald.server.config.Settings;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import dev.herald.server.idempotency.Idempotency;
import dev.herald.webpush.Urgency;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code POST /api/v1/notifications}, {@code GET/DELETE /api/v1/notifications/{id}}. */
public final class NotificationRoutes implements Router.Feature {
    static final long MAX_TTL = 28L * 86_400;
    static final long DEFAULT_TTL = 86_400;
    private static final Pattern CATEGORY = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern COLLAPSE_KEY = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Duration MAX_SCHEDULE_AHEAD = Duration.ofDays(365);
    private static final Duration PAST_TOLERANCE = Duration.ofMinutes(1);

    private final NotificationStore store;
    private final NotificationService service;
    private final Idempotency idempotency;
    private final Authenticator auth;
    private final Settings settings;
    private final TopicRules topicRules;
    private final EventStore events;
    private final Clock clock;
    private final Digests digests;

    public NotificationRoutes(NotificationStore store, NotificationService service, Idempotency idempotency,
            Authenticator auth, Settings settings, TopicRules topicRules, EventStore events, Clock clock, Digests digests) {
        this.digests = digests;
        this.store = store;
        this.service = service;
        this.idempotency = idempotency;
        this.auth = auth;
        this.settings = settings;
        this.topicRules = topicRules;
        this.events = events;
        this.clock = clock;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record View(String id, String status, JsonNode audience, String category, int ttl, String urgency, String collapseKey,
            String sendAt, String sendAtLocal, boolean respectQuietHours, String expiresAt, String createdAt,
            Map<String, Integer> counts, Double clickThroughRate, String lastError, Digests.View digest,
            NotificationStore.TemplateUse template, Map<String, Integer> locales) {}

    @Override
    public void routes(Router router) {
        router.post("/api/v1/notifications", this::create);
        router.get("/api/v1/notifications/{id}", ctx -> {
            auth.requireScope(ctx, Scope.SEND);
            Json.write(ctx, 200, view(find(ctx.pathParam("id"))));
        });
        router.delete("/api/v1/notifications/{id}", ctx -> {
            auth.requireScope(ctx, Scope.SEND);
            Notification n = find(ctx.pathParam("id"));
            store.cancel(n.id());
            Json.write(ctx, 200, view(find(n.id())));
        });
    }

    private Notification find(String id) {
        return (Ids.looksValid(id) ? store.find(id) : java.util.Optional.<Notification>empty())
                .orElseThrow(() -> new ApiException(ErrorCode.NOT_FOUND, "no notification " + id));
    }

    /** The notification as {@code GET /api/v1/notifications/{id}} shows it (the admin console reuses the view). */
    public Object describe(String id) {
        return view(find(id));
    }

    /**
     * {@code POST /api/v1/notifications}; public so the admin console's compose sends through the same checks, as the
     * session's key (established by the console before it calls this).
     */
    public void create(Context ctx) {
        Caller.Key key = auth.requireScope(ctx, Scope.SEND);
        Fields body = Fields.of(Json.readObject(ctx, settings.maxBodyBytes())).only(Set.of("audience", "category", "payload",
                "ttl", "urgency", "collapseKey", "sendAt", "sendAtLocal", "respectQuietHours", "digest", "localized", "template",
                "data"));
        NotificationService.Extras extras = extras(body);
        Audience audience = Audience.parse(body.object("audience"));
        checkTopic(audience);
        String category = category(body);
        long ttl = body.has("ttl") ? body.integer("ttl", 0, MAX_TTL) : DEFAULT_TTL;
        String urgency = Urgency.NORMAL.token();
        if (body.has("urgency")) {
            try {
                urgency = Urgency.fromToken(body.text("urgency", 16)).token();
            } catch (IllegalArgumentException e) {
                throw body.error("urgency", "must be one of very-low, low, normal, high");
            }
        }
        String collapseKey = body.optionalText("collapseKey", 32);
        if (collapseKey != null && !COLLAPSE_KEY.matcher(collapseKey).matches()) {
            throw body.error("collapseKey", "must be 1-32 characters of the base64url alphabet (A-Z a-z 0-9 - _)");
        }
        boolean respectQuietHours = body.bool("respectQuietHours", true);
        Instant now = clock.instant();
        if (body.has("sendAt") && body.has("sendAtLocal")) {
            throw body.error("sendAtLocal", "cannot be combined with sendAt");
        }
        Instant sendAt = body.has("sendAt") ? sendAt(body, now) : now;
        LocalSend local = body.has("sendAtLocal") ? sendAtLocal(body, now) : null;
        DigestSpec digest = body.has("digest") ? DigestSpec.parse(body.object("digest")) : null;
        if (digest != null && local != null) {
            throw body.error("digest", "cannot be combined with sendAtLocal (a digest is per user, not per device)");
        }
        NotificationService.Request request = new NotificationService.Request(audience, category,
                extras.template() == null ? body.object("payload") : null, ttl, urgency, collapseKey, sendAt, local,
                respectQuietHours, key.keyId(), extras);
        record Created(String id, byte[] response) {}
        // The notification and the Idempotency-Key response commit together: a retry can never create a second one.
        Created created = store.jdbi().inTransaction(h -> {
            Notification n = service.create(h, request);
            if (digest != null) {
                digests.request(h, n.id(), digest);
            }
            return new Created(n.id(), idempotency.completeWith(ctx, h, 202,
                    Map.of("id", n.id(), "status", sendAt.isAfter(now) ? "scheduled" : "queued")));
        });
        service.wake();
        ctx.header("Location", "/api/v1/notifications/" + created.id());
        ctx.status(202).contentType("application/json").result(created.response());
    }

    /** {@code localized} beside a payload, or {@code template} (a name, or {name, version}) with {@code data}. */
    private static NotificationService.Extras extras(Fields body) {
        if (!body.has("template")) {
            if (body.has("data")) {
                throw body.error("data", "is template data; name a template, or put app data in payload.data");
            }
            return new NotificationService.Extras(body.has("localized") ? body.object("localized") : null, null, null, null);
        }
        if (body.has("payload") || body.has("localized")) {
            throw body.error(body.has("payload") ? "payload" : "localized", "cannot be combined with template (the "
                    + "template has the payload and its localised variants)");
        }
        String name;
        Integer version = null;
        if (body.rawObject().get("template").isObject()) {
            Fields t = body.object("template").only(Set.of("name", "version"));
            name = t.text("name", 64);
            version = t.has("version") ? (int) t.integer("version", 1, Integer.MAX_VALUE) : null;
        } else {
            name = body.text("template", 64);
        }
        if (!dev.herald.server.template.TemplateRoutes.NAME.matcher(name).matches()) {
            throw new ApiException(ErrorCode.UNKNOWN_TEMPLATE, "no template '" + name + "' (names are 1-64 characters of "
                    + "a-z 0-9 _ -)", "template");
        }
        return new NotificationService.Extras(null, name, version, body.has("data") ? body.object("data") : null);
    }

    /** The named category, which must be configured; absent: the first configured one. */
    private String category(Fields body) {
        String category = body.optionalText("category", 64);
        if (category == null) {
            return settings.categories().getFirst().id();
        }
        if (!CATEGORY.matcher(category).matches()) {
            throw body.error("category", "must be 1-64 characters of a-z 0-9 _ - starting with a letter or digit");
        }
        if (settings.category(category).isEmpty()) {
            throw new ApiException(ErrorCode.UNKNOWN_CATEGORY, "category '" + category + "' is not configured (known: "
                    + String.join(", ", settings.categories().stream().map(Settings.Category::id).toList()) + ")", "category");
        }
        return category;
    }

    private void checkTopic(Audience audience) {
        switch (audience) {
            case Audience.Topic t -> topicRules.check(t.topic(), "audience.topic");
            case Audience.Except x -> checkTopic(x.base());
            default -> { }
        }
    }

    private LocalSend sendAtLocal(Fields body, Instant now) {
        LocalSend local;
        try {
            local = LocalSend.parse(body.text("sendAtLocal", 16));
        } catch (IllegalArgumentException e) {
            throw body.error("sendAtLocal", e.getMessage() + ", like 09:00 or 2026-12-01T09:00");
        }
        if (local.dateTime() != null) {
            if (local.latest(now).isBefore(now)) {
                throw body.error("sendAtLocal", "is in the past in every time zone");
            }
            if (local.earliest().isAfter(now.plus(MAX_SCHEDULE_AHEAD))) {
                throw body.error("sendAtLocal", "is more than 365 days ahead");
            }
        }
        return local;
    }

    private Instant sendAt(Fields body, Instant now) {
        String text = body.text("sendAt", 40);
        Instant at;
        try {
            at = Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw body.error("sendAt", "must be an RFC 3339 UTC time like 2026-12-01T09:00:00Z");
        }
        if (at.isBefore(now.minus(PAST_TOLERANCE))) {
            throw body.error("sendAt", "is in the past");
        }
        if (at.isAfter(now.plus(MAX_SCHEDULE_AHEAD))) {
            throw body.error("sendAt", "is more than 365 days ahead");
        }
        return at;
    }

    private View view(Notification n) {
        Map<DeliveryState, Integer> byState = store.counts(n.id());
        int targeted = byState.values().stream().mapToInt(Integer::intValue).sum();
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("targeted", targeted);
        counts.put("queued", byState.getOrDefault(DeliveryState.QUEUED, 0) + byState.getOrDefault(DeliveryState.LEASED, 0));
        counts.put("sent", byState.getOrDefault(DeliveryState.SENT, 0));
        EventStore.Engagement engagement = events.engagement(n.id());
        counts.put("delivered", engagement.delivered());
        counts.put("shown", engagement.shown());
        counts.put("clicked", engagement.clicked());
        counts.put("closed", engagement.closed());
        counts.put("failed", byState.getOrDefault(DeliveryState.FAILED, 0));
        counts.put("expired", byState.getOrDefault(DeliveryState.EXPIRED, 0));
        counts.put("gone", byState.getOrDefault(DeliveryState.GONE, 0));
        counts.put("suppressed", byState.getOrDefault(DeliveryState.SUPPRESSED, 0));
        counts.put("cancelled", byState.getOrDefault(DeliveryState.CANCELLED, 0));
        JsonNode audience;
        try {
            audience = Json.MAPPER.readTree(n.audience());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        Digests.View digest = digests.describe(n.id()).orElse(null);
        String status = status(n, counts);
        if (status.equals("completed") && digest != null && digest.held() != null && digest.held() > 0) {
            status = "held"; // waiting in digest windows; the summaries are notifications of their own
        }
        return new View(n.id(), status, audience, n.category(), n.ttl(), n.urgency(), n.topic(),
                Times.rfc3339(n.sendAt()), n.sendAtLocal(), n.respectQuietHours(), Times.rfc3339(n.expiresAt()),
                Times.rfc3339(n.createdAt()), counts, engagement.clickThroughRate(), store.lastError(n.id()).orElse(null),
                digest, store.template(n.id()).orElse(null), locales(n.id()));
    }

    private Map<String, Integer> locales(String id) {
        Map<String, Integer> counts = store.localeCounts(id);
        return counts.isEmpty() ? null : counts;
    }

    /** scheduled, fanning-out, sending, completed, cancelled or failed (fan-out gave up); the caller adds held. */
    private String status(Notification n, Map<String, Integer> counts) {
        return switch (n.status()) {
            case CANCELLED -> "cancelled";
            case FAILED -> "failed";
            case FANOUT -> n.sendAt() > clock.millis() ? "scheduled" : "fanning-out";
            case ACTIVE -> counts.get("queued") > 0 ? "sending" : "completed";
        };
    }
}
