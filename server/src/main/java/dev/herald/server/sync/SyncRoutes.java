package dev.herald.server.sync;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.Caller;
import dev.herald.server.auth.Scope;
import dev.herald.server.auth.UserTokens;
import dev.herald.server.config.Settings;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.http.Router;
import dev.herald.server.ratelimit.Action;
import dev.herald.server.ratelimit.RateLimits;
import dev.herald.server.idempotency.Idempotency;
import dev.herald.server.notification.NotificationService;
import dev.herald.server.webhook.EventType;
import dev.herald.server.webhook.WebhookEvents;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The server side of Background Sync: {@code POST /api/v1/sync/{collection}/mutations} applies a batch in one
 * transaction (each mutation applied or in conflict, never silently overwritten), and
 * {@code GET /api/v1/sync/{collection}/changes} pages the change feed by version.
 */
public final class SyncRoutes implements Router.Feature {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SyncRoutes.class);
    private static final Pattern DOC_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
    private static final int MAX_PAGE = 500;
    private static final int DEFAULT_PAGE = 100;

    private final SyncStore store;
    private final Authenticator auth;
    private final Idempotency idempotency;
    private final NotificationService notifications;
    private final Settings settings;
    private final Clock clock;
    private final RateLimits rateLimits;
    private final WebhookEvents events;

    public SyncRoutes(org.jdbi.v3.core.Jdbi jdbi, Authenticator auth, Idempotency idempotency, NotificationService notifications,
            Settings settings, Clock clock, RateLimits rateLimits, WebhookEvents events) {
        this.rateLimits = rateLimits;
        this.events = events;
        this.store = new SyncStore(jdbi, new SyncStore.Quota(settings.syncMaxDocuments(), settings.syncMaxBytes()));
        this.auth = auth;
        this.idempotency = idempotency;
        this.notifications = notifications;
        this.settings = settings;
        this.clock = clock;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ResultView(String id, String status, long version, JsonNode doc, Boolean deleted, String owner) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ChangeView(String id, long version, boolean deleted, JsonNode doc, String owner) {}

    record FeedView(List<ChangeView> changes, String cursor, boolean hasMore) {}

    @Override
    public void routes(Router router) {
        router.post("/api/v1/sync/{collection}/mutations", this::mutate);
        router.get("/api/v1/sync/{collection}/changes", this::changes);
    }

    /** Removes tombstones past the horizon (called periodically). */
    public int purgeTombstones() {
        return store.purgeTombstones(clock.millis() - settings.tombstoneHorizon().toMillis());
    }

    private Settings.SyncCollection collection(Context ctx) {
        String name = ctx.pathParam("collection");
        return settings.syncCollections().stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_COLLECTION, "no sync collection '" + name + "'"));
    }

    /** The partition the caller reads and writes: '' for a shared collection, the user id for a private one. */
    private String owner(Context ctx, Settings.SyncCollection collection) {
        return switch (auth.caller(ctx)) {
            case Caller.User u -> collection.shared() ? "" : u.userId();
            case Caller.Key k -> {
                auth.requireScope(ctx, Scope.MANAGE);
                if (collection.shared()) {
                    yield "";
                }
                String user = ctx.queryParam("userId");
                if (user == null || !UserTokens.USER_ID.matcher(user).matches()) {
                    throw new ApiException(ErrorCode.INVALID_PARAMETER, "a private collection needs ?userId= with an API key");
                }
                yield user;
            }
            case Caller.Anonymous a -> throw new ApiException(ErrorCode.UNAUTHENTICATED, "sync needs a user token or a manage API key");
        };
    }

    private void mutate(Context ctx) {
        Settings.SyncCollection collection = collection(ctx);
        String owner = owner(ctx, collection);
        Fields body = Fields.of(Json.readObject(ctx, settings.maxBodyBytes())).only(Set.of("mutations"));
        ArrayNode given = body.array("mutations", settings.maxMutations());
        if (given.isEmpty()) {
            throw body.error("mutations", "must not be empty");
        }
        List<Mutation> mutations = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            mutations.add(parse(given.get(i), "mutations[" + i + "]"));
        }
        rateLimits.check(Action.SYNC, ctx, auth.caller(ctx), null, mutations.size());
        String author = auth.caller(ctx) instanceof Caller.User u ? u.userId() : null; // null: a manage key
        record Outcome(byte[] response, boolean notified) {}
        Outcome outcome = store.jdbi().inTransaction(h -> {
            List<SyncStore.Applied> applied = store.apply(h, collection.name(), owner, collection.shared(), author, mutations,
                    clock.millis());
            conflictEvents(h, collection.name(), author, applied);
            boolean notified = false;
            if (collection.notifies()) {
                // One announcement per batch at most, for its first new document: a batch is not a way to flood everyone.
                for (int i = 0; i < applied.size() && !notified; i++) {
                    if (applied.get(i).created()) {
                        notified = announce(h, collection.name(), mutations.get(i), author);
                    }
                }
            }
            List<ResultView> results = applied.stream().map(a -> new ResultView(a.result().id(), a.result().status(),
                    a.result().version(), parse(a.result().doc()), a.result().deleted(), a.result().owner())).toList();
            return new Outcome(idempotency.completeWith(ctx, h, 200, Map.of("results", results)), notified);
        });
        if (outcome.notified()) {
            notifications.wake();
        }
        ctx.status(200).contentType("application/json").result(outcome.response());
    }

    /** Refused mutations (conflict, forbidden) as {@code sync.conflict} webhook events, in the batch's transaction. */
    private void conflictEvents(org.jdbi.v3.core.Handle h, String collection, String author, List<SyncStore.Applied> applied) {
        if (!events.wants(EventType.SYNC_CONFLICT)) {
            return;
        }
        long now = clock.millis();
        events.emit(h, applied.stream().filter(a -> !a.result().status().equals("applied"))
                .map(a -> new WebhookEvents.Event(EventType.SYNC_CONFLICT, now, WebhookEvents.data("collection", collection,
                        "documentId", a.result().id(), "userId", author, "status", a.result().status(),
                        "serverVersion", a.result().version())))
                .toList());
    }

    private Mutation parse(JsonNode node, String path) {
        if (!(node instanceof ObjectNode o)) {
            throw new ApiException(ErrorCode.INVALID_FIELD, path + " must be an object", path);
        }
        Fields m = Fields.of(o).only(Set.of("id", "op", "doc", "baseVersion"));
        try {
            String id = m.text("id", 128);
            if (!DOC_ID.matcher(id).matches()) {
                throw m.error("id", "must be 1-128 characters of A-Z a-z 0-9 _ . : -");
            }
            String op = m.text("op", 10);
            if (!op.equals("upsert") && !op.equals("delete")) {
                throw m.error("op", "must be upsert or delete");
            }
            Long base = m.optionalInteger("baseVersion", 0, Long.MAX_VALUE);
            if (op.equals("delete")) {
                if (m.has("doc")) {
                    throw m.error("doc", "is not allowed with delete");
                }
                return new Mutation(id, true, null, base);
            }
            String doc = Json.stringify(m.object("doc").rawObject());
            if (doc.getBytes(StandardCharsets.UTF_8).length > settings.maxDocumentBytes()) {
                throw m.error("doc", "is larger than " + settings.maxDocumentBytes() + " bytes of JSON");
            }
            return new Mutation(id, false, doc, base);
        } catch (ApiException e) {
            throw new ApiException(e.code(), path + "." + e.getMessage(), path + "." + e.field());
        }
    }

    /** Notifying is a side effect: a document that makes no valid notification is still saved. */
    private boolean announce(org.jdbi.v3.core.Handle h, String collection, Mutation m, String author) {
        try {
            notifications.create(h, announcement(collection, m, author));
            return true;
        } catch (ApiException e) {
            log.warn("new {} document {} saved without a notification: {}", collection, m.id(), e.getMessage());
            return false;
        }
    }

    /**
     * A new document in a notify collection tells the topic of the same name (but not its author), linking to it,
     * in the category of the same name if there is one, else the first configured category. "From" is the caller's
     * user id, never a field of the document, which its writer chooses.
     */
    private NotificationService.Request announcement(String collection, Mutation m, String author) {
        JsonNode doc = parse(m.doc());
        String text = doc.path("text").asText(doc.path("title").asText(""));
        if (text.length() > 140) {
            text = text.substring(0, 139) + "…";
        }
        String title = author == null ? "New in " + collection : "New post from " + author;
        String category = settings.category(collection).orElse(settings.categories().getFirst()).id();
        return notifications.toTopic(collection, author, category, title, text, "/?post=" + m.id(), 86_400);
    }

    private static JsonNode parse(String json) {
        if (json == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored document is not JSON", e);
        }
    }

    private void changes(Context ctx) {
        Settings.SyncCollection collection = collection(ctx);
        String owner = owner(ctx, collection);
        String sinceParam = ctx.queryParam("since");
        long since = sinceParam == null || sinceParam.isEmpty() ? 0 : Cursor.decode(collection.name(), sinceParam);
        int limit = limit(ctx.queryParam("limit"));
        SyncStore.Partition partition = store.partition(collection.name(), owner);
        if (since > 0 && since < partition.purgedThrough()) {
            throw new ApiException(ErrorCode.CURSOR_EXPIRED, "deletes after this cursor were purged (horizon "
                    + settings.tombstoneHorizon().toSeconds() + " s); drop local data and sync from the start (no since)");
        }
        String etag = "W/\"" + partition.head() + "-" + since + "-" + limit + "\"";
        ctx.header("ETag", etag).header("Cache-Control", "private, no-cache");
        if (etag.equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        SyncStore.Page page = store.changes(collection.name(), owner, since, limit, partition.horizon());
        List<ChangeView> changes = page.changes().stream()
                .map(c -> new ChangeView(c.id(), c.version(), c.deleted(), parse(c.doc()), c.owner())).toList();
        long last = changes.isEmpty() ? since : changes.get(changes.size() - 1).version();
        Json.write(ctx, 200, new FeedView(changes, Cursor.encode(collection.name(), last), page.hasMore()));
    }

    private static int limit(String value) {
        if (value == null || value.isEmpty()) {
            return DEFAULT_PAGE;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= MAX_PAGE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new ApiException(ErrorCode.INVALID_PARAMETER, "limit must be a whole number from 1 to " + MAX_PAGE);
    }
}
