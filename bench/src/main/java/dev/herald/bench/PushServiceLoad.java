package dev.herald.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load driver for the embedded push service, run as a second process against {@code herald push-service} (the
 * built jar, started here as a child so its RSS can be read from /proc): how many idle autopush WebSocket
 * connections it holds and at what memory, then how many messages per second it routes from RFC 8030 POSTs to
 * connected user agents (each acknowledged), with POST-to-frame latency.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.herald.bench.PushServiceLoad [connections] [messages] [receivers] [sqlite|jdbc-url] [nodes]</pre>
 *
 * With {@code nodes} 2 (PostgreSQL only) a second node starts on the same database; the user agents connect to the
 * first and the messages are POSTed to the second, so every one is routed between nodes.
 *
 * Connections are spread over 127.0.0.1-127.0.0.8 so the client's ephemeral ports do not run out.
 */
public final class PushServiceLoad {
    private static final Pattern VERSION = Pattern.compile("\"version\":\"([^\"]+)\"");
    private static final Pattern DATA = Pattern.compile("\"data\":\"([^\"]+)\"");

    private PushServiceLoad() {}

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 19_000;
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int receivers = Math.min(connections, args.length > 2 ? Integer.parseInt(args[2]) : 1_000);
        String databaseUrl = args.length > 3 && !args[3].equals("sqlite") ? args[3] : null; // jdbc:postgresql://…
        int nodes = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        if (nodes == 2 && databaseUrl == null) {
            throw new IllegalArgumentException("two nodes share a PostgreSQL database: give its jdbc:postgresql:// URL");
        }
        // every node must open the others' endpoint tokens (and derives the internal secret from the same key)
        String endpointKey = java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(16));
        System.out.println("push service on " + (databaseUrl != null ? "PostgreSQL" : "SQLite") + ", " + nodes + " node(s)"
                + (nodes == 2 ? ": browsers on node A, POSTs to node B" : ""));
        List<Process> servers = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            int port = freePort();
            Process server = startServer(port, databaseUrl, "node-a", endpointKey);
            servers.add(server);
            int postPort = port;
            if (nodes == 2) {
                postPort = freePort();
                servers.add(startServer(postPort, databaseUrl, "node-b", endpointKey));
                waitReady(http, "http://127.0.0.1:" + postPort + "/readyz", servers.get(1));
            }
            waitReady(http, "http://127.0.0.1:" + port + "/readyz", server);
            long rssIdle = rssKb(server.pid());
            Routing routing = new Routing();
            List<UserAgent> agents = connect(http, port, connections, routing);
            Thread.sleep(2_000); // let the server settle before reading its memory
            long rssConnected = rssKb(server.pid());
            System.out.printf("connections held: %,d of %,d (%s)%n", agents.size(), connections, "hello answered on each");
            System.out.printf("server RSS: %,d MiB idle -> %,d MiB with the connections = %.1f KiB per connection%n",
                    rssIdle / 1024, rssConnected / 1024, (rssConnected - rssIdle) / (double) agents.size());
            route(http, agents.subList(0, receivers), messages, routing, postPort);
            System.out.printf("server RSS after routing: %,d MiB%n", rssKb(server.pid()) / 1024);
            for (int p : nodes == 2 ? List.of(port, postPort) : List.of(port)) {
                String ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                System.out.println("readyz :" + p + " " + ready);
            }
            agents.forEach(a -> a.ws.abort());
        } finally {
            for (Process server : servers) {
                server.destroy();
                server.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** {@code herald push-service} from the built jar, as a child process (its RSS readable from /proc). */
    private static Process startServer(int port, String databaseUrl, String nodeId, String endpointKey) throws Exception {
        Path dataDir = Files.createTempDirectory("herald-push-load");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = System.getenv().getOrDefault("HERALD_JAR", "server/target/herald.jar");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx3g"));
        // e.g. HERALD_JVM_OPTS=-XX:StartFlightRecording=filename=push.jfr,settings=profile (applies to every node)
        for (String opt : System.getenv().getOrDefault("HERALD_JVM_OPTS", "").replace("{node}", nodeId).split(" ")) {
            if (!opt.isBlank()) {
                command.add(opt);
            }
        }
        command.addAll(List.of("-jar", jar, "push-service", "--port", String.valueOf(port),
                "--host", "0.0.0.0", "--internal-url", "http://127.0.0.1:" + port,
                "--public-url", "http://127.0.0.1:" + port, "--data-dir", dataDir.toString(),
                "--vapid-subject", "mailto:bench@herald.example", "--node-id", nodeId, "--endpoint-token-key", endpointKey,
                // a load test is the flood the rate limits exist to stop
                "--rate-limit-push-hello", "off", "--rate-limit-push-register", "off", "--rate-limit-push-messages", "off"));
        if (databaseUrl != null) {
            command.addAll(List.of("--database-url", databaseUrl));
        }
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dataDir.resolve("server.log").toFile()).start();
    }

    /** What the routing phase shares between the POSTing workers and the receiving sockets. */
    static final class Routing {
        final List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile CountDownLatch arrived = new CountDownLatch(0);
    }

    /** One connected user agent: its socket, its endpoint once registered; acknowledges what arrives. */
    static final class UserAgent implements WebSocket.Listener {
        final CompletableFuture<String> hello = new CompletableFuture<>();
        final CompletableFuture<String> registered = new CompletableFuture<>();
        final Routing routing;
        WebSocket ws;
        String endpoint;
        private final StringBuilder partial = new StringBuilder();

        UserAgent(Routing routing) {
            this.routing = routing;
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (text.contains("\"messageType\":\"hello\"")) {
                    hello.complete(text);
                } else if (text.contains("\"messageType\":\"register\"")) {
                    registered.complete(text);
                } else if (text.contains("\"messageType\":\"notification\"")) {
                    long now = System.nanoTime();
                    Matcher m = VERSION.matcher(text);
                    if (m.find()) {
                        String version = m.group(1);
                        Matcher d = DATA.matcher(text);
                        if (d.find()) { // the body's first 8 bytes: System.nanoTime() when it was POSTed
                            long sent = java.nio.ByteBuffer.wrap(java.util.Base64.getUrlDecoder().decode(d.group(1))).getLong();
                            routing.latencies.add(now - sent);
                        }
                        routing.arrived.countDown();
                        String channel = text.replaceAll(".*\"channelID\":\"([^\"]+)\".*", "$1");
                        w.sendText("{\"messageType\":\"ack\",\"updates\":[{\"channelID\":\"" + channel + "\",\"version\":\""
                                + version + "\",\"code\":100}]}", true);
                    }
                }
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
            hello.completeExceptionally(new IllegalStateException("closed before hello: " + code + " " + reason));
            registered.completeExceptionally(new IllegalStateException("closed: " + code + " " + reason));
            return null;
        }
    }

    private static List<UserAgent> connect(HttpClient http, int port, int n, Routing routing) throws Exception {
        List<UserAgent> agents = java.util.Collections.synchronizedList(new ArrayList<>());
        Semaphore inFlight = new Semaphore(256);
        AtomicInteger failures = new AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            UserAgent ua = new UserAgent(routing);
            URI uri = URI.create("ws://127.0.0." + (1 + i % 8) + ":" + port + "/wpush/connect");
            http.newWebSocketBuilder().subprotocols("push-notification").connectTimeout(Duration.ofSeconds(30))
                    .buildAsync(uri, ua)
                    .thenCompose(ws -> {
                        ua.ws = ws;
                        return ws.sendText("{\"messageType\":\"hello\",\"use_webpush\":true}", true);
                    })
                    .thenCompose(ws -> ua.hello)
                    .whenComplete((hello, error) -> {
                        if (error == null) {
                            agents.add(ua);
                        } else if (failures.incrementAndGet() <= 3) {
                            System.out.println("connect failed: " + error);
                        }
                        inFlight.release();
                    });
        }
        inFlight.acquire(256);
        inFlight.release(256);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("connected %,d user agents in %.1f s (%,.0f handshakes+hello/s), %d failed%n", agents.size(), seconds,
                agents.size() / seconds, failures.get());
        return new ArrayList<>(agents);
    }

    private static void route(HttpClient http, List<UserAgent> receivers, int messages, Routing routing, int postPort)
            throws Exception {
        CountDownLatch arrived = new CountDownLatch(messages);
        routing.arrived = arrived;
        for (UserAgent ua : receivers) {
            ua.ws.sendText("{\"messageType\":\"register\",\"channelID\":\"" + UUID.randomUUID() + "\"}", true);
        }
        for (UserAgent ua : receivers) {
            String reply = ua.registered.get(30, TimeUnit.SECONDS);
            ua.endpoint = reply.replaceAll(".*\"pushEndpoint\":\"([^\"]+)\".*", "$1")
                    .replaceFirst("^http://127\\.0\\.0\\.1:[0-9]+/", "http://127.0.0.1:" + postPort + "/"); // node B, if two
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < 64; w++) {
                pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < messages; i = next.getAndIncrement()) {
                        UserAgent to = receivers.get(i % receivers.size());
                        byte[] body = new byte[128]; // a stand-in for an encrypted payload; the service does not decrypt
                        Arrays.fill(body, (byte) 7);
                        java.nio.ByteBuffer.wrap(body).putLong(System.nanoTime());
                        HttpRequest post = HttpRequest.newBuilder(URI.create(to.endpoint)).header("TTL", "60")
                                .header("Content-Encoding", "aes128gcm").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                        HttpResponse<Void> r = http.send(post, HttpResponse.BodyHandlers.discarding());
                        if (r.statusCode() != 201) {
                            refused.incrementAndGet();
                            arrived.countDown();
                        }
                    }
                    return null;
                });
            }
        }
        boolean all = arrived.await(120, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Long> sorted = new ArrayList<>(routing.latencies);
        sorted.sort(Long::compare);
        System.out.printf("routed %,d messages to %,d connected user agents in %.1f s = %,.0f messages/s (refused %d, all arrived: %s)%n",
                messages - refused.get(), receivers.size(), seconds, (messages - refused.get()) / seconds, refused.get(), all);
        if (!sorted.isEmpty()) {
            System.out.printf("POST -> notification frame latency: p50 %.1f ms, p99 %.1f ms (%,d measured)%n",
                    sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.99)) / 1e6, sorted.size());
        }
    }

    private static void waitReady(HttpClient http, String url, Process server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180); // a loaded machine starts slowly
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("herald push-service exited with " + server.exitValue());
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("herald push-service did not become ready");
    }

    private static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return -1;
    }
}
