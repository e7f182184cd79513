package dev.herald.webpush;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A push service on a random loopback port whose answers a test scripts: any status, headers and body,
 * or a reply held back until the test lets it go. Records what it received and how many distinct
 * client connections it saw.
 */
public final class ScriptedPushService implements AutoCloseable {
    public record Reply(int status, Map<String, String> headers, String body) {}

    public record Received(String path, Map<String, String> headers, byte[] body, int clientPort) {}

    public interface Responder {
        Reply reply(HttpExchange exchange) throws Exception;
    }

    public final List<Received> received = new CopyOnWriteArrayList<>();
    public final AtomicInteger inHandler = new AtomicInteger();
    public final AtomicInteger maxInHandler = new AtomicInteger();
    private final HttpServer server;
    private volatile Responder responder = ex -> new Reply(201, Map.of("Location", "/m/1"), "");

    public ScriptedPushService() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public void respond(Responder r) {
        this.responder = r;
    }

    public void respond(int status, Map<String, String> headers, String body) {
        respond(ex -> new Reply(status, headers, body));
    }

    public URI endpoint(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    public long distinctConnections() {
        return received.stream().map(Received::clientPort).distinct().count();
    }

    private void handle(HttpExchange ex) throws IOException {
        int now = inHandler.incrementAndGet();
        maxInHandler.accumulateAndGet(now, Math::max);
        try (ex) {
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
            received.add(new Received(ex.getRequestURI().getPath(), headers, ex.getRequestBody().readAllBytes(),
                    ex.getRemoteAddress().getPort()));
            Reply reply = responder.reply(ex);
            reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                ex.getResponseBody().write(body);
            }
        } catch (Exception e) {
            throw new IOException(e);
        } finally {
            inHandler.decrementAndGet();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
