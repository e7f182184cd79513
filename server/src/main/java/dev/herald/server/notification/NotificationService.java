package dev.herald.server.notification;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.common.Ids;
import dev.herald.server.http.Fields;
import dev.herald.server.template.TemplateStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;

/** Creates notifications, for the API and for server-side features (a new post notifies its readers). */
public final class NotificationService {
    private final NotificationStore store;
    private final Supplier<URI> publicUrl;
    private final Runnable newWork;
    private final Clock clock;
    private final ContentPlan content;

    public NotificationService(NotificationStore store, Supplier<URI> publicUrl, Runnable newWork, Clock clock) {
        this(store, publicUrl, newWork, clock, null);
    }

    /** {@code templates}: where notifications naming a template find it (null: templates are refused). */
    public NotificationService(NotificationStore store, Supplier<URI> publicUrl, Runnable newWork, Clock clock,
            TemplateStore templates) {
        this.store = store;
        this.publicUrl = publicUrl;
        this.newWork = newWork;
        this.clock = clock;
        this.content = new ContentPlan(templates);
    }

    /** The members a notification's payload (and a template's) may have. */
    public static final Set<String> PAYLOAD_FIELDS = DeclarativeMessage.FIELDS;

    /**
     * A validated request to notify. {@code payload} is null when {@code extras} names a template.
     */
    public record Request(Audience audience, String category, Fields payload, long ttl, String urgency, String collapseKey,
            Instant sendAt, LocalSend sendAtLocal, boolean respectQuietHours, String apiKeyId, Extras extras) {
        public Request(Audience audience, String category, Fields payload, long ttl, String urgency, String collapseKey,
                Instant sendAt, LocalSend sendAtLocal, boolean respectQuietHours, String apiKeyId) {
            this(audience, category, payload, ttl, urgency, collapseKey, sendAt, sendAtLocal, respectQuietHours, apiKeyId,
                    Extras.NONE);
        }
    }

    /**
     * Content beyond one payload for all: per-locale variants of {@code payload} ({@code localized}: tag → fields),
     * or a template (latest version unless {@code templateVersion}) with its {@code data}.
     */
    public record Extras(Fields localized, String template, Integer templateVersion, Fields data) {
        public static final Extras NONE = new Extras(null, null, null, null);
    }

    /** Builds and stores the notification inside {@code h}'s transaction; call {@link #wake()} after the commit. */
    public Notification create(Handle h, Request r) {
        Instant now = clock.instant();
        Instant sendAt = r.sendAt() == null ? now : r.sendAt();
        // A local-time send fans out now; each delivery is due at its own zone's time and expires TTL after it.
        Instant latest = r.sendAtLocal() == null ? sendAt : r.sendAtLocal().latest(sendAt);
        String id = Ids.next(clock);
        ContentPlan.Built built = content.build(h, id, r.category(), r, publicUrl.get());
        byte[] payload = built.payload();
        Notification n = new Notification(id, r.apiKeyId(), NotificationStatus.FANOUT, r.audience().toJson(), r.category(),
                new String(payload, StandardCharsets.UTF_8), (int) r.ttl(), r.urgency(), r.collapseKey(), sendAt.toEpochMilli(),
                latest.plusSeconds(r.ttl()).toEpochMilli(), "", now.toEpochMilli(),
                r.sendAtLocal() == null ? null : r.sendAtLocal().toString(), r.respectQuietHours());
        store.insert(h, n);
        if (built.stored() != null || built.templateName() != null) {
            store.content(h, id, built.stored(), built.templateName(), built.templateVersion());
        }
        return n;
    }

    /** A simple notification (title, body, where a click leads) to a topic's subscribers other than {@code exceptUser}. */
    public Request toTopic(String topic, String exceptUser, String category, String title, String body, String url, long ttl) {
        Audience audience = exceptUser == null ? new Audience.Topic(topic) : new Audience.Except(new Audience.Topic(topic),
                java.util.List.of(exceptUser));
        ObjectNode payload = dev.herald.server.http.Json.MAPPER.createObjectNode().put("title", title).put("url", url);
        if (body != null && !body.isBlank()) {
            payload.put("body", body);
        }
        return new Request(audience, category, Fields.of(payload), ttl, "normal", null, null, null, true, null);
    }

    /** Tells the delivery engine there is new work. */
    public void wake() {
        newWork.run();
    }
}
