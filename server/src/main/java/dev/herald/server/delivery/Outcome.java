package dev.herald.server.delivery;

/**
 * What became of one delivery attempt, to be written to the queue. {@code attempts} fences the write: it only
 * applies while the row is still the lease this attempt held (a row re-claimed after its lease expired has a
 * higher count). {@code nextAt} is set for a retry; {@code goneSubscription} when the subscription must be deleted;
 * {@code subscription} when the answer moves its count of consecutive 400s (a 2xx resets it, a 400 adds one).
 */
record Outcome(long deliveryId, int attempts, String state, Long nextAt, Integer status, String error,
        String goneSubscription, String subscription) {

    static final String SENT = "sent";
    static final String QUEUED = "queued";
    static final String FAILED = "failed";
    static final String EXPIRED = "expired";
    static final String GONE = "gone";
    static final String CANCELLED = "cancelled";

    Outcome(long deliveryId, int attempts, String state, Long nextAt, Integer status, String error, String goneSubscription) {
        this(deliveryId, attempts, state, nextAt, status, error, goneSubscription, null);
    }

    /** A 400 that counts against the subscription. */
    boolean badRequest() {
        return subscription != null && state.equals(FAILED) && status != null && status == 400;
    }

    /** The same attempt, ended as gone after {@code strikes} consecutive 400s. */
    Outcome goneAfter(int strikes) {
        return new Outcome(deliveryId, attempts, GONE, null, status, error + "; " + strikes
                + " consecutive 400s: treated as gone", subscription, subscription);
    }
}
