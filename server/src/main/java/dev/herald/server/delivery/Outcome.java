package dev.herald.server.delivery;

/**
 * What became of one delivery attempt, to be written to the queue. {@code attempts} fences the write: it only
 * applies while the row is still the lease this attempt held (a row re-claimed after its lease expired has a
 * higher count). {@code nextAt} is set for a retry; {@code goneSubscription} when the subscription must be deleted;
 * {@code subscription} when the answer moves its count of consecutive 400s (a 2xx resets it, a 400 adds one).
 */
record Outcome(long deliveryId, int attempts, DeliveryState state, Long nextAt, Integer status, String error,
        String goneSubscription, String subscription) {

    /** A final or retry outcome that does not touch the subscription. */
    static Outcome of(OutcomePolicy.Attempt a, DeliveryState state, Long nextAt, Integer status, String error) {
        return new Outcome(a.deliveryId(), a.attempts(), state, nextAt, status, error, null, null);
    }

    RecordedOutcomes.Recorded recorded() {
        return new RecordedOutcomes.Recorded(deliveryId, state, status, error,
                subscription != null ? subscription : goneSubscription, goneSubscription != null);
    }

    /** A 400 that counts against the subscription. */
    boolean badRequest() {
        return subscription != null && state == DeliveryState.FAILED && status != null && status == 400;
    }

    /** A 2xx that resets the subscription's count of consecutive 400s. */
    boolean resetsStrikes() {
        return subscription != null && state == DeliveryState.SENT;
    }
}
