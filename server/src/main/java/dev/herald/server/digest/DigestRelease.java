package dev.herald.server.digest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.http.ApiException;
import dev.herald.server.http.ErrorCode;
import dev.herald.server.http.Fields;
import dev.herald.server.http.Json;
import dev.herald.server.notification.Audience;
import dev.herald.server.notification.Notification;
import dev.herald.server.notification.NotificationService;
import dev.herald.server.storage.Dialect;
import dev.herald.server.template.ContentTemplate;
import dev.herald.server.template.Rendered;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what windows collected when they end: claims due windows (skipping those another node holds), and in the same
 * transaction creates each one's summary as an ordinary notification to the devices its items were for. That
 * notification fans out as any other, so preferences, quiet hours and caps apply to the summary, once, and not to
 * each item. Claim and creation commit together: a crash releases a window again after restart, never twice.
 */
public final class DigestRelease implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DigestRelease.class);
    private static final long POLL_MILLIS = 500;
    private static final int BATCH = 100;

    private final Jdbi jdbi;
    private final Dialect dialect;
    private final NotificationService notifications;
    private final Clock clock;
    private final Object signal = new Object();
    private boolean signalled;
    private volatile boolean running;
    private Thread thread;

    public DigestRelease(Jdbi jdbi, Dialect dialect, NotificationService notifications, Clock clock) {
        this.jdbi = jdbi;
        this.dialect = dialect;
        this.notifications = notifications;
        this.clock = clock;
    }

    public synchronized void start() {
        if (!running) {
            running = true;
            thread = Thread.ofPlatform().name("herald-digests").daemon().start(this::loop);
        }
    }

    /** Windows may have ended (tests move a fake clock): look now rather than at the next poll. */
    public void wake() {
        synchronized (signal) {
            signalled = true;
            signal.notifyAll();
        }
    }

    private void loop() {
        while (running) {
            try {
                if (releaseDue() < BATCH) {
                    synchronized (signal) {
                        if (!signalled) {
                            signal.wait(POLL_MILLIS);
                        }
                        signalled = false;
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("releasing digests failed; retrying", e);
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Releases up to one batch of ended windows now; returns how many. Safe beside the loop and other nodes. */
    public int releaseDue() {
        long now = clock.millis();
        int released = jdbi.inTransaction(h -> {
            List<Window> due = h.createQuery("UPDATE digests SET state = 'released', released_at = :now, updated_at = :now "
                            + "WHERE id IN (SELECT id FROM digests WHERE state = 'open' AND release_at <= :now ORDER BY release_at "
                            + "LIMIT :limit" + dialect.skipLocked() + ") RETURNING id, digest_key, max_items")
                    .bind("now", now).bind("limit", BATCH)
                    .map((rs, ctx) -> new Window(rs.getString(1), rs.getString(2), rs.getInt(3))).list();
            for (Window w : due) {
                release(h, w);
            }
            return due.size();
        });
        if (released > 0) {
            notifications.wake();
        }
        return released;
    }

    private record Window(String id, String key, int max) {}

    /** The opening item's settings become the summary's. */
    private record First(String category, int ttl, String urgency, String topic, boolean respectQuietHours, String apiKeyId) {}

    private void release(Handle h, Window w) {
        List<DigestContent.Item> items = h.createQuery("SELECT n.id, n.payload FROM digest_items i JOIN notifications n "
                        + "ON n.id = i.notification_id WHERE i.digest_id = ? AND n.status <> 'cancelled' ORDER BY i.added_at, n.id")
                .bind(0, w.id())
                .map((rs, ctx) -> new DigestContent.Item(rs.getString(1), parse(rs.getString(2)))).list();
        List<String> targets = h.createQuery("SELECT t.subscription_id FROM digest_targets t JOIN subscriptions s "
                        + "ON s.id = t.subscription_id WHERE t.digest_id = ? ORDER BY t.subscription_id")
                .bind(0, w.id()).mapTo(String.class).list();
        if (items.isEmpty() || targets.isEmpty()) {
            finish(h, w, null, items.size(), items.isEmpty() ? "every item was cancelled" : "no device left to send to");
            return;
        }
        First first = h.createQuery("SELECT category, ttl, urgency, topic, respect_quiet_hours, api_key_id FROM notifications "
                        + "WHERE id = ?").bind(0, items.getFirst().notificationId())
                .map((rs, ctx) -> new First(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                        rs.getInt(5) != 0, rs.getString(6))).one();
        ContentTemplate template = h.createQuery("SELECT summary FROM notification_digests WHERE notification_id = ?")
                .bind(0, items.getFirst().notificationId()).mapTo(String.class).findOne()
                .map(json -> ContentTemplate.parse((ObjectNode) parse(json))).orElse(null);
        String note = null;
        // List fewer items until the summary fits one push message; one item always fits (it was sent-sized).
        for (int listed = Math.min(w.max(), items.size()); ; listed = listed / 2) {
            ObjectNode payload = DigestContent.payload(w.key(), items, Math.max(1, listed));
            if (template != null && items.size() > 1) {
                switch (DigestContent.templated(template, w.key(), items, Math.max(1, listed))) {
                    case Rendered.Ok<ObjectNode> ok -> payload = ok.value();
                    case Rendered.Missing<ObjectNode> missing -> note = "summary template: " + missing.describe()
                            + "; the built-in summary was sent";
                }
            }
            try {
                Notification n = notifications.create(h, new NotificationService.Request(new Audience.Subscriptions(targets),
                        first.category(), Fields.of(payload), first.ttl(), first.urgency(), first.topic(), null, null,
                        first.respectQuietHours(), first.apiKeyId()));
                finish(h, w, n.id(), items.size(), note);
                return;
            } catch (ApiException e) {
                if (e.code() != ErrorCode.PAYLOAD_TOO_LARGE || listed <= 1) {
                    log.warn("digest {} ({} items) could not be sent: {}", w.id(), items.size(), e.getMessage());
                    finish(h, w, null, items.size(), e.getMessage());
                    return;
                }
            }
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored payload is not JSON", e);
        }
    }

    private static void finish(Handle h, Window w, String notificationId, int count, String error) {
        h.createUpdate("UPDATE digests SET notification_id = ?, item_count = ?, last_error = ? WHERE id = ?")
                .bind(0, notificationId).bind(1, count).bind(2, error).bind(3, w.id()).execute();
    }

    public void stop(Duration grace) {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t != null) {
            wake();
            try {
                t.join(grace.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            t.interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}
