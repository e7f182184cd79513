package dev.herald.server.webhook;

import java.util.Optional;

/** The events a webhook endpoint may ask for; {@link #wire()} is the name in the API and in payloads. */
public enum EventType {
    DELIVERY_SENT("delivery.sent"),
    DELIVERY_FAILED("delivery.failed"),
    DELIVERY_GONE("delivery.gone"),
    NOTIFICATION_SHOWN("notification.shown"),
    NOTIFICATION_CLICKED("notification.clicked"),
    NOTIFICATION_CLOSED("notification.closed"),
    SUBSCRIPTION_CREATED("subscription.created"),
    SUBSCRIPTION_DELETED("subscription.deleted"),
    SYNC_CONFLICT("sync.conflict");

    private final String wire;

    EventType(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<EventType> fromWire(String name) {
        for (EventType t : values()) {
            if (t.wire.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
