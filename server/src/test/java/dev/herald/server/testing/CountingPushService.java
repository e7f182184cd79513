package dev.herald.server.testing;

import com.sun.net.httpserver.HttpServer;
import dev.herald.webpush.UserAgentKeys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * A push service for large fan-outs: answers 201 to everything (after an optional latency), counting requests
 * per path. With {@link #seed} it creates the subscriptions that point at it, straight in the database.
 */
public final class CountingPushService implements AutoCloseable {
    public final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    public final AtomicInteger total = new AtomicInteger();
    private final HttpServer server;

    public CountingPushService(long latencyMillis) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                received.computeIfAbsent(ex.getRequestURI().getPath(), p -> new AtomicInteger()).incrementAndGet();
                total.incrementAndGet();
                if (latencyMillis > 0) {
                    Thread.sleep(latencyMillis); // the peer's latency, part of the scenario
                }
                ex.sendResponseHeaders(201, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    public String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Inserts {@code n} subscriptions at {@code /p/<i>} on this service, ids {@code 01<tag><i>}, in one transaction. */
    public void seed(Jdbi jdbi, String tag, int n) {
        UserAgentKeys browser = UserAgentKeys.generate();
        jdbi.useTransaction(h -> {
            PreparedBatch batch = h.prepareBatch("INSERT INTO subscriptions (id, user_id, endpoint, origin, p256dh, auth, "
                    + "encoding, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'aes128gcm', 0, 0)");
            for (int i = 0; i < n; i++) {
                batch.add(String.format("01%-5s%019d", tag, i).replace(' ', 'X'), "user" + i, origin() + "/p/" + i, origin(),
                        browser.p256dh(), browser.authBase64Url());
            }
            batch.execute();
        });
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
