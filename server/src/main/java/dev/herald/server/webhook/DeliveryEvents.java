package dev.herald.server.webhook;

import dev.herald.server.delivery.DeliveryState;
import dev.herald.server.delivery.RecordedOutcomes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Delivery outcomes as webhook events: sent → {@code delivery.sent}; failed or expired → {@code delivery.failed};
 * gone → {@code delivery.gone}, and {@code subscription.deleted} (reason {@code gone}) when the outcome deletes the
 * subscription. Reads the batch's notification and subscription ids in one query, and only when some type is wanted.
 */
final class DeliveryEvents implements RecordedOutcomes {
    private final WebhookEvents events;

    DeliveryEvents(WebhookEvents events) {
        this.events = events;
    }

    private static EventType type(DeliveryState state) {
        return switch (state) {
            case SENT -> EventType.DELIVERY_SENT;
            case FAILED, EXPIRED -> EventType.DELIVERY_FAILED;
            case GONE -> EventType.DELIVERY_GONE;
            default -> null;
        };
    }

    @Override
    public void recorded(Handle h, List<Recorded> outcomes, long now) {
        boolean deletions = events.wants(EventType.SUBSCRIPTION_DELETED);
        List<Recorded> wanted = outcomes.stream().filter(o -> {
            EventType t = type(o.state());
            return t != null && (events.wants(t) || (deletions && o.deletesSubscription()));
        }).toList();
        if (wanted.isEmpty()) {
            return;
        }
        record Ids(String notificationId, String subscriptionId, String userId) {}
        Map<Long, Ids> ids = new HashMap<>();
        h.createQuery("SELECT d.id, d.notification_id, d.subscription_id, s.user_id FROM deliveries d "
                        + "LEFT JOIN subscriptions s ON s.id = d.subscription_id WHERE d.id IN (<ids>)")
                .bindList("ids", wanted.stream().map(Recorded::deliveryId).toList())
                .map((rs, ctx) -> Map.entry(rs.getLong("id"), new Ids(rs.getString("notification_id"),
                        rs.getString("subscription_id"), rs.getString("user_id"))))
                .forEach(e -> ids.put(e.getKey(), e.getValue()));
        List<WebhookEvents.Event> out = new ArrayList<>();
        for (Recorded o : wanted) {
            Ids i = ids.get(o.deliveryId());
            if (i == null) {
                continue;
            }
            EventType t = type(o.state());
            if (events.wants(t)) {
                out.add(new WebhookEvents.Event(t, now, WebhookEvents.data("notificationId", i.notificationId(),
                        "subscriptionId", i.subscriptionId(), "userId", i.userId(), "state", o.state().token(), "status", o.status(),
                        "error", o.error())));
            }
            if (deletions && o.deletesSubscription()) {
                out.add(new WebhookEvents.Event(EventType.SUBSCRIPTION_DELETED, now, WebhookEvents.data(
                        "subscriptionId", i.subscriptionId(), "userId", i.userId(), "reason", "gone")));
            }
        }
        events.emit(h, out);
    }
}
