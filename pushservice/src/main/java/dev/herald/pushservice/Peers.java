package dev.herald.pushservice;

/**
 * The other nodes of a push service that several processes run on one shared {@link PushStore}. A user agent's
 * WebSocket lands on one node; a message for it may be POSTed to any. The node that accepts the message stores it
 * first, then hands it to {@link #stored}, which tells the node holding the connection (Herald: an internal HTTP
 * call to that node, which passes it to its {@link PushService#routed}). A notify that is lost costs latency, not the
 * message: it stays stored until acknowledged, and the user agent gets it on its next {@code hello}, or from the
 * host's catch-up scan before that.
 *
 * <p>Implementations must be thread-safe. {@link #connected} and {@link #disconnected} run on the connection's
 * thread and may block briefly (a database write); {@link #stored} runs on the application server's request and must
 * not wait for the other node.
 */
public interface Peers {
    /**
     * {@code uaid} said {@code hello} on this node, as connection {@code connection} (unique on this node). Called
     * before its stored messages are read, so a message stored concurrently is either read then or routed here.
     */
    void connected(String uaid, long connection);

    /** That connection ended (and no newer one of the same user agent on this node replaced it). */
    void disconnected(String uaid, long connection);

    /** A stored message whose user agent is not connected to this node: tell the node it is connected to, if any. */
    void stored(PushStore.Message message);

    /** One node: nobody to tell. */
    Peers NONE = new Peers() {
        @Override
        public void connected(String uaid, long connection) {}

        @Override
        public void disconnected(String uaid, long connection) {}

        @Override
        public void stored(PushStore.Message message) {}
    };
}
