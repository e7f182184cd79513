package dev.herald.server.delivery;

/**
 * What became of one delivery attempt, to be written to the queue. {@code attempts} fences the write: it only
 * applies while the row is still the lease this attempt held (a row re-claimed after its lease expired has a
 * higher count). {@code nextAt} is set for a retry; {@code goneSubscription} when the subscription must be deleted.
 */
record Outcome(long deliveryId, int attempts, String state, Long nextAt, Integer status, String error,
        String goneSubscription) {

    static final String SENT = "sent";
    static final String QUEUED = "queued";
    static final String FAILED = "failed";
    static final String EXPIRED = "expired";
    static final String GONE = "gone";
    static final String CANCELLED = "cancelled";
}
