package dev.herald.server.push;

import dev.herald.pushservice.Peers;
import dev.herald.pushservice.PushService;
import dev.herald.pushservice.PushStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routing between push-service nodes that share PostgreSQL. {@code hello} records in {@code push_user_agents} which
 * node (and which of its connections) holds the browser; a node that stores a message for a browser connected
 * elsewhere looks that up and hands the message to a {@link PeerLink} to the owner, which POSTs it to the owner's
 * internal route ({@link InternalRoutes}). Nothing polls on the way.
 *
 * <p>Notifies can be lost (the owner restarting, a full queue, a network error); the message is stored, so the browser
 * gets it on its next {@code hello} anyway. To not wait for that, each node scans every {@link #CATCH_UP} for
 * messages of the browsers it holds that are older than {@link #GRACE} (the notify had its chance) and sends those
 * not yet sent on the connection. Thread-safe.
 */
public final class NodeRouting implements Peers, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeRouting.class);
    static final Duration CATCH_UP = Duration.ofSeconds(5);
    /** Messages younger than this are the notify's to deliver; the scan looks only at older ones. */
    static final Duration GRACE = Duration.ofSeconds(1);
    /** How far back each scan starts before the previous one ended: commits land late (slow transactions, skew). */
    private static final Duration OVERLAP = Duration.ofSeconds(30);
    private static final int PAGE = 1000;

    /** {@code secret}: the nodes' shared internal secret, which signs notifies. */
    public record Config(String nodeId, byte[] secret) {}

    private final Jdbi jdbi;
    private final Lock writeLock;
    private final Clock clock;
    private final Config config;
    private final NodeRegistry registry;
    private final HttpClient http;
    private final Map<String, PeerLink> links = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final MeterRegistry metrics;
    private volatile PushService service;
    private volatile Thread background;
    private long scannedUpTo;

    public NodeRouting(dev.herald.server.storage.Database database, Clock clock, Config config, MeterRegistry metrics) {
        this.jdbi = database.jdbi();
        this.writeLock = database.writeLock();
        this.clock = clock;
        this.config = config;
        this.metrics = metrics;
        this.registry = new NodeRegistry(jdbi, writeLock, database.dialect(), clock, config.nodeId());
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    }

    public String nodeId() {
        return config.nodeId();
    }

    /** The route other nodes notify this one on. */
    public dev.herald.server.http.Router.Feature internalRoutes() {
        return new InternalRoutes(this, config.secret());
    }

    /** {@code <host name>-<6 hex digits>}: unique per start, so a restarted node is a new one to the others. */
    public static String defaultNodeId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "node";
        }
        host = host.replaceAll("[^A-Za-z0-9._-]", "-");
        host = host.length() > 56 ? host.substring(0, 56) : host;
        return host + "-" + String.format("%06x", new java.security.SecureRandom().nextInt(1 << 24));
    }

    /** {@code http://<host>:<port>}, with this machine's name when {@code host} is a wildcard address. */
    public static URI defaultInternalUrl(String host, int port) {
        String h = host;
        if (h.isEmpty() || h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]")) {
            try {
                h = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                h = "localhost";
            }
        }
        if (h.contains(":") && !h.startsWith("[")) {
            h = "[" + h + "]";
        }
        return URI.create("http://" + h + ":" + port);
    }

    /** Registers this node at {@code internalUrl} and starts the heartbeat and the catch-up scan. */
    public synchronized void start(PushService service, URI internalUrl) {
        this.service = service;
        registry.register(internalUrl);
        scannedUpTo = clock.millis() - OVERLAP.toMillis();
        background = Thread.ofPlatform().name("herald-push-nodes").daemon().start(this::run);
        log.info("push service node {} reachable by other nodes at {}", config.nodeId(), internalUrl);
    }

    private void run() {
        long nextBeat = 0;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(CATCH_UP.toMillis());
                catchUp();
                if (clock.millis() >= nextBeat) {
                    registry.heartbeat();
                    nextBeat = clock.millis() + NodeRegistry.HEARTBEAT.toMillis();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("push service node {}: heartbeat or catch-up scan failed; retrying", config.nodeId(), e);
            }
        }
    }

    @Override
    public void connected(String uaid, long connection) {
        write(() -> jdbi.useHandle(h -> h.createUpdate("UPDATE push_user_agents SET node_id = ?, node_connection = ? WHERE uaid = ?")
                .bind(0, config.nodeId()).bind(1, connection).bind(2, uaid).execute()));
    }

    @Override
    public void disconnected(String uaid, long connection) {
        write(() -> jdbi.useHandle(h -> h.createUpdate("UPDATE push_user_agents SET node_id = NULL, node_connection = NULL "
                        + "WHERE uaid = ? AND node_id = ? AND node_connection = ?")
                .bind(0, uaid).bind(1, config.nodeId()).bind(2, connection).execute()));
    }

    @Override
    public void stored(PushStore.Message message) {
        String owner = jdbi.withHandle(h -> h.createQuery("SELECT node_id FROM push_user_agents WHERE uaid = ?")
                .bind(0, message.uaid()).mapTo(String.class).findOne().orElse(null));
        if (owner == null) {
            count("not-connected", 1); // it waits in the store for the browser's next hello
            return;
        }
        if (owner.equals(config.nodeId())) {
            // recorded here but not connected (the connection just ended): nothing to do, and the catch-up covers a race
            count("not-connected", 1);
            return;
        }
        NodeRegistry.Node node = registry.live(owner).orElse(null);
        if (node == null) {
            count("owner-down", 1); // its browsers reconnect to a live node and get the stored message on hello
            return;
        }
        links.computeIfAbsent(owner, id -> new PeerLink(node, http, config.secret(), InternalRoutes.MAX_BODY / 4, this::count))
                .send(message, node.internalUrl());
    }

    /** Notifies another node sent here: each message goes down its browser's WebSocket if that is connected here. */
    void received(List<PushStore.Message> messages) {
        int sent = 0;
        for (PushStore.Message m : messages) {
            if (service.routed(m)) {
                sent++;
            }
        }
        count("received", messages.size());
        count("received-sent", sent);
    }

    /**
     * One catch-up scan: messages stored since a little before the last scan (up to {@link #GRACE} ago) for browsers
     * recorded as connected here; each not yet sent on its connection is sent now (a notify that was lost).
     */
    public synchronized int catchUp() {
        long to = clock.millis() - GRACE.toMillis();
        long from = scannedUpTo - OVERLAP.toMillis();
        long afterSeq = -1;
        int sent = 0;
        for (int page = 0; page < 100; page++) {
            long fromAt = from;
            long seq = afterSeq;
            List<Row> rows = jdbi.withHandle(h -> h.createQuery("SELECT m.seq, " + JdbiPushStore.MESSAGE_COLUMNS_OF_M
                            + " FROM push_messages m JOIN push_user_agents u ON u.uaid = m.uaid WHERE u.node_id = ? "
                            + "AND (m.created_at > ? OR (m.created_at = ? AND m.seq > ?)) AND m.created_at <= ? AND m.expires_at > ? "
                            + "ORDER BY m.created_at, m.seq LIMIT ?")
                    .bind(0, config.nodeId()).bind(1, fromAt).bind(2, fromAt).bind(3, seq).bind(4, to).bind(5, clock.millis())
                    .bind(6, PAGE)
                    .map((rs, ctx) -> new Row(rs.getLong("seq"), JdbiPushStore.message(rs, ctx))).list());
            for (Row r : rows) {
                if (service.routed(r.message())) {
                    sent++;
                }
            }
            if (rows.size() < PAGE) {
                break;
            }
            Row last = rows.get(rows.size() - 1);
            from = last.message().createdAt();
            afterSeq = last.seq();
        }
        scannedUpTo = Math.max(scannedUpTo, to);
        count("caught-up", sent);
        return sent;
    }

    private record Row(long seq, PushStore.Message message) {}

    /** Routing counters as {@code /readyz} shows them. */
    public Map<String, Long> counters() {
        Map<String, Long> out = new java.util.TreeMap<>();
        counters.forEach((k, c) -> out.put(k, (long) c.count()));
        return out;
    }

    /** The other nodes this one knows, with whether each is up. */
    public Map<String, Boolean> peers() {
        Map<String, Boolean> out = new java.util.TreeMap<>();
        registry.known().keySet().stream().filter(id -> !id.equals(config.nodeId()))
                .forEach(id -> out.put(id, registry.live(id).isPresent()));
        return out;
    }

    void count(String outcome, int n) {
        if (n > 0) {
            counters.computeIfAbsent(outcome, o -> Counter.builder("herald.push.routing").tag("outcome", o)
                    .description("Messages routed between push-service nodes, by outcome").register(metrics)).increment(n);
        }
    }

    private void write(Runnable work) {
        writeLock.lock();
        try {
            work.run();
        } finally {
            writeLock.unlock();
        }
    }

    /** Stops the scan and the links, and leaves the registry (other nodes stop sending here). */
    @Override
    public synchronized void close() {
        if (background != null) {
            background.interrupt();
            background = null;
        }
        links.values().forEach(PeerLink::close);
        try {
            registry.deregister();
        } catch (RuntimeException e) {
            log.warn("push service node {}: leaving the registry failed", config.nodeId(), e);
        }
    }
}
