package dev.herald.server.webhook;

import dev.herald.server.auth.Authenticator;
import dev.herald.server.http.Router;
import dev.herald.server.storage.Database;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Webhooks: the API to manage endpoints, the outbox other features write events to ({@link #events()}), and the
 * dispatcher that signs and sends them. Built once by {@code HeraldApp}.
 */
public final class Webhooks implements AutoCloseable {
    /** Messages given up after a day are kept this long for the API and console to show. */
    private static final Duration FAILED_RETENTION = Duration.ofDays(7);
    private static final int PRUNE_BATCH = 1000;

    /**
     * The request-forgery policy for webhook URLs, the push endpoints' own: {@link #check} at creation (an
     * {@code webhook-url-not-allowed} problem when refused), {@link #sendTimeRefusal} before each send.
     */
    public interface UrlPolicy {
        URI check(String url);

        Optional<String> sendTimeRefusal(String url);
    }

    private final Outbox outbox;
    private final WebhookStore store;
    private final Dispatcher dispatcher;
    private final WebhookRoutes routes;
    private final HttpClient http;
    private final Clock clock;

    public Webhooks(Database database, UrlPolicy policy, Authenticator auth, Clock clock, int maxBodyBytes) {
        this.clock = clock;
        this.store = new WebhookStore(database.jdbi());
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER)
                .build();
        Dispatcher[] ref = new Dispatcher[1];
        this.outbox = new Outbox(database.jdbi(), clock, () -> ref[0].wake());
        this.dispatcher = new Dispatcher(database.jdbi(), database.dialect(), outbox, policy::sendTimeRefusal, http, clock,
                Backoff.STANDARD);
        ref[0] = dispatcher;
        this.routes = new WebhookRoutes(store, policy, auth, clock, maxBodyBytes, dispatcher::refreshSoon);
        outbox.refresh();
    }

    /** Where features report events, inside their transactions. */
    public WebhookEvents events() {
        return outbox;
    }

    /** Delivery outcomes as events, for {@code DeliveryEngine.onRecorded}. */
    public dev.herald.server.delivery.RecordedOutcomes deliveryOutcomes() {
        return new DeliveryEvents(outbox);
    }

    /**
     * An engagement event a service worker reported (shown, clicked, action, closed; received is not an event here),
     * as {@code notification.shown|clicked|closed}, in the transaction that records it.
     */
    public void engaged(org.jdbi.v3.core.Handle h, String notificationId, String subscriptionId, String type, String action,
            long at) {
        EventType t = switch (type) {
            case "shown" -> EventType.NOTIFICATION_SHOWN;
            case "clicked", "action" -> EventType.NOTIFICATION_CLICKED;
            case "closed" -> EventType.NOTIFICATION_CLOSED;
            default -> null;
        };
        if (t == null || !outbox.wants(t)) {
            return;
        }
        String userId = h.createQuery("SELECT user_id FROM subscriptions WHERE id = ?").bind(0, subscriptionId)
                .mapTo(String.class).findOne().orElse(null);
        outbox.emit(h, java.util.List.of(new WebhookEvents.Event(t, at, WebhookEvents.data("notificationId", notificationId,
                "subscriptionId", subscriptionId, "userId", userId, "action", action == null || action.isEmpty() ? null : action))));
    }

    public Router.Feature routes() {
        return routes;
    }

    /** The path whose answers carry a secret (kept out of stored idempotent responses). */
    public static String secretPath() {
        return WebhookRoutes.PATH;
    }

    public void start() {
        dispatcher.start();
    }

    /** Skips the poll interval (tests that move a fake clock call this). */
    public void wake() {
        dispatcher.wake();
    }

    /** Housekeeping: removes messages given up more than a week ago; returns how many. */
    public int prune() {
        return store.pruneFailed(clock.millis() - FAILED_RETENTION.toMillis(), PRUNE_BATCH);
    }

    @Override
    public void close() {
        dispatcher.stop();
        http.close();
    }
}
