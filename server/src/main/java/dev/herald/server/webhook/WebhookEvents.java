package dev.herald.server.webhook;

import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * How other features report events for webhooks: one call inside the transaction that made the event, so the event
 * is queued (in the outbox) exactly when its cause commits. Events of types no enabled endpoint wants cost nothing.
 * Thread-safe.
 */
public interface WebhookEvents {
    /** One event; {@code data} becomes the payload's {@code data} object (values: strings, numbers, booleans, null). */
    record Event(EventType type, long occurredAt, Map<String, Object> data) {}

    /** Whether some enabled endpoint wants events of this type (callers may skip building them when not). */
    boolean wants(EventType type);

    /** Queues the wanted ones of {@code events} in {@code h}'s transaction. */
    void emit(Handle h, List<Event> events);

    /** A data object from name/value pairs, in order; null values are left out. */
    static Map<String, Object> data(Object... namesAndValues) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null) {
                out.put((String) namesAndValues[i], namesAndValues[i + 1]);
            }
        }
        return out;
    }

    /** For stores used without webhooks (benchmarks, tools). */
    WebhookEvents NONE = new WebhookEvents() {
        @Override
        public boolean wants(EventType type) {
            return false;
        }

        @Override
        public void emit(Handle h, List<Event> events) {}
    };
}
