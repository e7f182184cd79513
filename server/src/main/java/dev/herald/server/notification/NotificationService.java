package dev.herald.server.notification;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.common.Ids;
import dev.herald.server.http.Fields;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;

/** Creates notifications, for the API and for server-side features (a new post notifies its readers). */
public final class NotificationService {
    private final NotificationStore store;
    private final Supplier<URI> publicUrl;
    private final Runnable newWork;
    private final Clock clock;

    public NotificationService(NotificationStore store, Supplier<URI> publicUrl, Runnable newWork, Clock clock) {
        this.store = store;
        this.publicUrl = publicUrl;
        this.newWork = newWork;
        this.clock = clock;
    }

    /** A validated request to notify. */
    public record Request(Audience audience, String category, Fields payload, long ttl, String urgency, String collapseKey,
            Instant sendAt, LocalSend sendAtLocal, boolean respectQuietHours, String apiKeyId) {}

    /** Builds and stores the notification inside {@code h}'s transaction; call {@link #wake()} after the commit. */
    public Notification create(Handle h, Request r) {
        Instant now = clock.instant();
        Instant sendAt = r.sendAt() == null ? now : r.sendAt();
        // A local-time send fans out now; each delivery is due at its own zone's time and expires TTL after it.
        Instant latest = r.sendAtLocal() == null ? sendAt : r.sendAtLocal().latest(sendAt);
        String id = Ids.next(clock);
        byte[] payload = DeclarativeMessage.build(id, r.category(), r.payload(), publicUrl.get());
        Notification n = new Notification(id, r.apiKeyId(), NotificationStatus.FANOUT, r.audience().toJson(), r.category(),
                new String(payload, StandardCharsets.UTF_8), (int) r.ttl(), r.urgency(), r.collapseKey(), sendAt.toEpochMilli(),
                latest.plusSeconds(r.ttl()).toEpochMilli(), "", now.toEpochMilli(),
                r.sendAtLocal() == null ? null : r.sendAtLocal().toString(), r.respectQuietHours());
        store.insert(h, n);
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
