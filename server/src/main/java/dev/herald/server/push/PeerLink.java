package dev.herald.server.push;

import dev.herald.pushservice.PushStore;
import dev.herald.server.http.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notifies to one other node: a bounded queue drained by a few senders, each POSTing what has piled up (up to a
 * body size) to the node's internal route in one request, so under load a request carries many messages and when
 * idle a message goes at once. A full queue or a failed request drops the notify (counted): the message is stored,
 * and the owner's catch-up scan or the browser's next {@code hello} delivers it. Thread-safe.
 */
final class PeerLink {
    private static final Logger log = LoggerFactory.getLogger(PeerLink.class);
    private static final int QUEUE = 20_000;
    private static final int SENDERS = 4;

    /** Counts outcomes ({@code notified}, {@code notify-failed}, {@code queue-full}). */
    interface Counts {
        void count(String outcome, int n);
    }

    private final String nodeId;
    private volatile URI target;
    private final HttpClient http;
    private final byte[] key;
    private final int maxBatchBytes;
    private final Counts counts;
    private final BlockingQueue<PushStore.Message> queue = new ArrayBlockingQueue<>(QUEUE);
    private final List<Thread> senders = new ArrayList<>();
    private volatile long lastWarning;

    PeerLink(NodeRegistry.Node node, HttpClient http, byte[] secret, int maxBatchBytes, Counts counts) {
        this.nodeId = node.id();
        this.target = node.internalUrl().resolve(InternalRoutes.MESSAGES);
        this.http = http;
        this.key = InternalRoutes.key(secret);
        this.maxBatchBytes = maxBatchBytes;
        this.counts = counts;
        for (int i = 0; i < SENDERS; i++) {
            senders.add(Thread.ofVirtual().name("herald-push-link-" + nodeId + "-" + i).start(this::run));
        }
    }

    void send(PushStore.Message message, URI internalUrl) {
        target = internalUrl.resolve(InternalRoutes.MESSAGES); // the node may have restarted elsewhere under its id
        if (!queue.offer(message)) {
            counts.count("queue-full", 1);
        }
    }

    private void run() {
        List<PushStore.Message> batch = new ArrayList<>();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                batch.add(queue.take());
                int bytes = size(batch.get(0));
                for (PushStore.Message next = queue.peek(); next != null && bytes + size(next) <= maxBatchBytes; next = queue.peek()) {
                    PushStore.Message taken = queue.poll();
                    if (taken == null) {
                        break;
                    }
                    batch.add(taken);
                    bytes += size(taken);
                }
                post(batch);
            } catch (InterruptedException e) {
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void post(List<PushStore.Message> batch) throws InterruptedException {
        try {
            byte[] body = Json.bytes(batch);
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(5))
                    .header(InternalRoutes.SIGNATURE, InternalRoutes.sign(key, body)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() == 204) {
                counts.count("notified", batch.size());
                return;
            }
            failed(batch.size(), "HTTP " + r.statusCode());
        } catch (java.io.IOException e) {
            failed(batch.size(), e.toString());
        }
    }

    private void failed(int n, String why) {
        counts.count("notify-failed", n);
        long now = System.nanoTime();
        if (now - lastWarning > 10_000_000_000L) { // one line per 10 s per node, not one per message
            lastWarning = now;
            log.warn("push service: notifying node {} at {} failed ({}); its catch-up scan or the browsers' next hello delivers "
                    + "the stored messages", nodeId, target, why);
        }
    }

    /** Roughly its JSON: the body dominates. */
    private static int size(PushStore.Message m) {
        return 400 + (m.data() == null ? 0 : m.data().length());
    }

    void close() {
        senders.forEach(Thread::interrupt);
    }
}
