package dev.herald.server.push;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * The push service's nodes in the shared database ({@code push_nodes}): each registers its id and internal URL at
 * start, beats every few seconds, and removes itself when it stops. Others read the table to find where to send a
 * notify; a node whose heartbeat is older than {@link #DOWN_AFTER} is treated as down (a notify to it is skipped:
 * its browsers reconnect elsewhere and get their stored messages on {@code hello}). Heartbeats are stamped and aged
 * with the database's clock, so nodes whose clocks disagree still agree on who is up. Thread-safe.
 */
final class NodeRegistry {
    static final Duration HEARTBEAT = Duration.ofSeconds(5);
    static final Duration DOWN_AFTER = Duration.ofSeconds(20);
    /** Rows of nodes gone this long are deleted (a node id that is new at each start would pile them up). */
    private static final Duration FORGET_AFTER = Duration.ofDays(1);

    /** A node as another sees it; {@code seenAt}: its last heartbeat on this node's clock. */
    record Node(String id, URI internalUrl, long seenAt) {}

    private final Jdbi jdbi;
    private final Lock writeLock;
    private final Clock clock;
    private final String self;
    /** The database's time in epoch milliseconds, as an SQL expression. */
    private final String dbNow;
    private volatile Map<String, Node> nodes = Map.of();
    private volatile long refreshedAt;

    NodeRegistry(Jdbi jdbi, Lock writeLock, dev.herald.server.storage.Dialect dialect, Clock clock, String self) {
        this.dbNow = dialect == dev.herald.server.storage.Dialect.POSTGRESQL
                ? "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
                : "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
        this.jdbi = jdbi;
        this.writeLock = writeLock;
        this.clock = clock;
        this.self = self;
    }

    String self() {
        return self;
    }

    /** Registers this node (replacing a row of the same id left by a crash) and forgets which browsers it held. */
    void register(URI internalUrl) {
        write(() -> jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM push_nodes WHERE id = ?").bind(0, self).execute();
            h.createUpdate("INSERT INTO push_nodes (id, internal_url, started_at, heartbeat_at) VALUES (?, ?, " + dbNow + ", "
                    + dbNow + ")").bind(0, self).bind(1, internalUrl.toString()).execute();
            h.createUpdate("UPDATE push_user_agents SET node_id = NULL, node_connection = NULL WHERE node_id = ?")
                    .bind(0, self).execute();
        }));
        refresh();
    }

    /** Beats, forgets long-gone nodes, and rereads the table. */
    void heartbeat() {
        write(() -> jdbi.useTransaction(h -> {
            h.createUpdate("UPDATE push_nodes SET heartbeat_at = " + dbNow + " WHERE id = ?").bind(0, self).execute();
            h.createUpdate("DELETE FROM push_nodes WHERE heartbeat_at < " + dbNow + " - ?").bind(0, FORGET_AFTER.toMillis()).execute();
        }));
        refresh();
    }

    /** Leaves: the row goes and the browsers this node held are no longer recorded here. */
    void deregister() {
        write(() -> jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM push_nodes WHERE id = ?").bind(0, self).execute();
            h.createUpdate("UPDATE push_user_agents SET node_id = NULL, node_connection = NULL WHERE node_id = ?")
                    .bind(0, self).execute();
        }));
    }

    /**
     * The node with this id if it is up. An id not seen yet (a node that started since the last read) rereads the
     * table, at most once a second.
     */
    Optional<Node> live(String id) {
        Node n = nodes.get(id);
        if (n == null && clock.millis() - refreshedAt > 1_000) {
            refresh();
            n = nodes.get(id);
        }
        if (n == null || clock.millis() - n.seenAt() > DOWN_AFTER.toMillis()) {
            return Optional.empty();
        }
        return Optional.of(n);
    }

    /** Every registered node, this one included (reread when the last read is over a second old). */
    Map<String, Node> known() {
        if (clock.millis() - refreshedAt > 1_000) {
            refresh();
        }
        return nodes;
    }

    private void refresh() {
        long now = clock.millis();
        refreshedAt = now;
        nodes = jdbi.withHandle(h -> h.createQuery("SELECT id, internal_url, " + dbNow + " - heartbeat_at FROM push_nodes")
                .map((rs, ctx) -> new Node(rs.getString(1), URI.create(rs.getString(2)), now - rs.getLong(3)))
                .list()).stream().collect(Collectors.toUnmodifiableMap(Node::id, n -> n));
    }

    private void write(Runnable work) {
        writeLock.lock();
        try {
            work.run();
        } finally {
            writeLock.unlock();
        }
    }
}
