package dev.herald.server.delivery;

import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Content that differs per delivery (a notification's variant for the reader's locale, a template filled for each
 * user), supplied by the notification feature: the engine only calls these two hooks and sends what it is given.
 * Implementations are thread-safe.
 */
public interface DeliveryContent {
    /**
     * A fan-out page queued deliveries of {@code notificationId} to {@code subscriptionIds}: the locale whose content
     * each reads, by subscription id (absent: the default), which the queue records on the delivery. Runs inside
     * the page's transaction.
     */
    Map<String, String> locales(Handle h, String notificationId, List<String> subscriptionIds);

    /** A claimed delivery: its subscription's user (null: anonymous) and the locale chosen at fan-out (null: default). */
    record Ref(long deliveryId, String notificationId, String subscriptionId, String userId, String locale) {}

    /** What one delivery sends instead of its notification's stored payload. */
    sealed interface Payload {
        /** This message (UTF-8 JSON; the receipt is stamped into it as into the stored one). */
        record Message(byte[] json) implements Payload {}

        /** Nothing can be sent: the delivery fails with {@code reason} (a missing template variable, too large). */
        record Unsendable(String reason) implements Payload {}
    }

    /** Payloads for a claimed batch by delivery id; a delivery not in the map sends the stored payload. */
    Map<Long, Payload> prepare(List<Ref> batch);

    /** Every delivery sends its notification's stored payload. */
    DeliveryContent STORED = new DeliveryContent() {
        @Override
        public Map<String, String> locales(Handle h, String notificationId, List<String> subscriptionIds) {
            return Map.of();
        }

        @Override
        public Map<Long, Payload> prepare(List<Ref> batch) {
            return Map.of();
        }
    };
}
