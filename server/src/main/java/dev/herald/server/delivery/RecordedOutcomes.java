package dev.herald.server.delivery;

import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * Told of each batch of delivery outcomes inside the transaction that writes them, so what it writes (webhook
 * events, a subscription's last success) commits with them or not at all. Must be quick: it runs on the recorder.
 */
@FunctionalInterface
public interface RecordedOutcomes {
    /**
     * One written outcome ({@code state} QUEUED is a retry);
     * {@code subscriptionId}: the subscription that answered, when it did; {@code deletesSubscription}: this outcome
     * deletes it (gone), in the same transaction.
     */
    record Recorded(long deliveryId, DeliveryState state, Integer status, String error, String subscriptionId,
            boolean deletesSubscription) {}

    void recorded(Handle h, List<Recorded> outcomes, long now);

    RecordedOutcomes NONE = (h, outcomes, now) -> {};
}
