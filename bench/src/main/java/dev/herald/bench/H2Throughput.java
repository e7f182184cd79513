package dev.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.config.Option;
import dev.herald.server.config.SettingsLoader;
import dev.herald.server.http.Json;
import dev.herald.webpush.DeliveryResult;
import dev.herald.webpush.PreparedRequest;
import dev.herald.webpush.PushMessage;
import dev.herald.webpush.PushSubscription;
import dev.herald.webpush.VapidKeys;
import dev.herald.webpush.WebPushSender;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nl.martijndwars.webpush.Encoding;
import nl.martijndwars.webpush.Notification;
import nl.martijndwars.webpush.PushService;
import org.apache.http.concurrent.FutureCallback;
import org.apache.http.impl.nio.client.CloseableHttpAsyncClient;
import org.apache.http.impl.nio.client.HttpAsyncClients;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Load driver against a real HTTP/2-over-TLS peer (Debian nginx, see {@link NginxPeer}), in one run, one table:
 * the {@code h2load} ceiling; {@link WebPushSender} alone sending N pre-made messages; {@code herald serve} end to
 * end on SQLite and PostgreSQL (plus SQLite against the 201/410/429/503 mix); npm {@code web-push}; and
 * {@code nl.martijndwars:web-push}. Herald runs as a child process so its peak RSS and a JFR profile are its own.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.herald.bench.H2Throughput [n=30000] [inFlight=256] [herald.jar] [jfr-file]</pre>
 */
public final class H2Throughput {
    private record Row(String name, String what, int count, double seconds, String note) {
        double rate() {
            return count / seconds;
        }
    }

    private final int n;
    private final int inFlight;
    private final NginxPeer nginx;
    private final List<Row> rows = new ArrayList<>();

    private H2Throughput(int n, int inFlight, NginxPeer nginx) {
        this.n = n;
        this.inFlight = inFlight;
        this.nginx = nginx;
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 30_000;
        int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        Path jar = Path.of(args.length > 2 ? args[2] : "server/target/herald.jar").toAbsolutePath();
        String jfr = args.length > 3 ? args[3] : null;
        try (NginxPeer nginx = NginxPeer.start()) {
            H2Throughput bench = new H2Throughput(n, inFlight, nginx);
            if (runs("h2load")) {
                bench.h2load();
            }
            if (runs("sender")) {
                bench.sender();
            }
            if (runs("sqlite")) {
                bench.serve(jar, "sqlite", nginx.origin(), jfr);
            }
            if (runs("postgres")) {
                bench.serve(jar, "postgres", nginx.origin(), null);
            }
            if (runs("mix")) {
                bench.serve(jar, "sqlite", nginx.mixOrigin(), null);
            }
            if (runs("npm")) {
                bench.npm();
            }
            if (runs("martijndwars")) {
                bench.martijndwars();
            }
            bench.print();
        }
    }

    /** {@code -Dherald.bench.only=h2load,sender,…} runs only those contenders (default: all). */
    private static boolean runs(String contender) {
        String only = System.getProperty("herald.bench.only", "");
        return only.isBlank() || java.util.Arrays.asList(only.split(",")).contains(contender);
    }

    private void add(Row row) {
        rows.add(row);
        System.out.printf("%-34s %,d in %.2f s = %,.0f/s %s%n", row.name(), row.count(), row.seconds(), row.rate(), row.note());
    }

    /** (a) The ceiling: h2load POSTing a push-sized body over HTTP/2 + TLS, no crypto, no database. */
    private void h2load() throws Exception {
        Path body = Files.createTempFile("herald-h2load", ".bin");
        Files.write(body, new byte[300]);
        String out = exec(List.of("h2load", "-n", Integer.toString(n), "-c", "4", "-m", Integer.toString(Math.max(1, inFlight / 4)),
                "-t", "1", "-d", body.toString(), "-H", "TTL: 60", nginx.origin() + "/p/1"), null);
        Matcher m = Pattern.compile("finished in ([0-9.]+)(m?s), ([0-9.]+) req/s").matcher(out);
        Matcher ok = Pattern.compile("(\\d+) succeeded").matcher(out);
        if (!m.find() || !ok.find()) {
            throw new IllegalStateException("h2load output not understood:\n" + out);
        }
        double seconds = Double.parseDouble(m.group(1)) / (m.group(2).equals("ms") ? 1000 : 1);
        add(new Row("h2load → nginx", "HTTP/2+TLS POST, 4 conns, no crypto", Integer.parseInt(ok.group(1)), seconds, "(the ceiling)"));
    }

    /**
     * (b) WebPushSender alone, no database: one untimed warm-up pass, then N pre-made messages sent {@code inFlight} at a
     * time (the transport alone), then N messages prepared and sent in the same loop (encryption and VAPID included), then
     * N prepared and sent to the 201/410/429/503 mix with every outcome counted and checked against what nginx answers.
     */
    private void sender() throws Exception {
        BenchFixture f = new BenchFixture();
        PushMessage message = PushMessage.builder().payload(BenchFixture.PAYLOAD).ttlSeconds(60).build();
        String name = "WebPushSender alone";
        try (WebPushSender sender = WebPushSender.builder().vapid(f.vapid, BenchFixture.SUBJECT).sslContext(nginx.sslContext())
                .maxConcurrentPerOrigin(inFlight).maxQueuedPerOrigin(n).build()) {
            List<PushSubscription> subscriptions = new ArrayList<>(n);
            List<PushSubscription> mixed = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                subscriptions.add(PushSubscription.of(nginx.origin() + "/p/" + i, f.browser.p256dh(), f.browser.authBase64Url()));
                mixed.add(PushSubscription.of(nginx.mixOrigin() + "/p/" + i, f.browser.p256dh(), f.browser.authBase64Url()));
            }
            List<PreparedRequest> prepared = new ArrayList<>(n);
            for (PushSubscription s : subscriptions) {
                prepared.add(sender.prepare(s, message));
            }
            Outcomes warm = sendAll(n, i -> sender.send(prepared.get(i)));
            if (warm.created() != n) {
                throw new IllegalStateException("warm-up: " + warm);
            }
            Outcomes premade = sendAll(n, i -> sender.send(prepared.get(i)));
            add(new Row(name, "pre-made messages, " + inFlight + " in flight", premade.created(), premade.seconds(),
                    premade.note()));
            Outcomes full = sendAll(n, i -> sender.send(subscriptions.get(i), message));
            add(new Row(name + ", encrypting", "prepare + send in the loop, " + inFlight + " in flight", full.created(),
                    full.seconds(), full.note()));
            Outcomes mix = sendAll(n, i -> sender.send(mixed.get(i), message));
            int gone = (int) java.util.stream.IntStream.range(0, n).filter(i -> Integer.toString(i).endsWith("07")).count();
            if (mix.gone() != gone || mix.created() + mix.rateLimited() + mix.serverError() != n - gone || mix.other() != 0) {
                throw new IllegalStateException("mix outcomes do not add up (expected " + gone + " gone): " + mix);
            }
            add(new Row("WebPushSender alone, 201/410/429/503 mix", "prepare + send, no retries, " + inFlight + " in flight", n,
                    mix.seconds(), mix.note() + String.format(" (expected gone %d, 429 ≈ 2 %%, 503 ≈ 1 %%)", gone)));
        }
    }

    private record Outcomes(int created, int gone, int rateLimited, int serverError, int other, double seconds, long bytes) {
        String note() {
            int count = created + gone + rateLimited + serverError + other;
            return String.format("%.1f KB allocated/message; 201 %d, 410 %d, 429 %d, 503 %d, other %d", bytes / 1024.0 / count, created,
                    gone, rateLimited, serverError, other);
        }
    }

    /** Bytes allocated so far by every live thread of this JVM (HotSpot's counter, exact). */
    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean()).getTotalThreadAllocatedBytes();
    }

    /** Sends {@code count} messages, {@code inFlight} at a time, counting each kind of result. */
    private Outcomes sendAll(int count, java.util.function.IntFunction<java.util.concurrent.CompletableFuture<DeliveryResult>> send)
            throws InterruptedException {
        Semaphore permits = new Semaphore(inFlight);
        CountDownLatch done = new CountDownLatch(count);
        AtomicInteger created = new AtomicInteger();
        AtomicInteger gone = new AtomicInteger();
        AtomicInteger limited = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        long bytes = allocated();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            permits.acquire();
            send.apply(i).whenComplete((result, error) -> {
                AtomicInteger counter = switch (result) {
                    case DeliveryResult.Created c -> created;
                    case DeliveryResult.Gone g -> gone;
                    case DeliveryResult.RateLimited r -> limited;
                    case DeliveryResult.ServerError e -> failed;
                    case null, default -> other;
                };
                if (counter == other && other.get() == 0) {
                    System.err.println("first unexpected result: " + (result != null ? result : error));
                }
                counter.incrementAndGet();
                permits.release();
                done.countDown();
            });
        }
        if (!done.await(3, TimeUnit.MINUTES)) {
            throw new IllegalStateException(done.getCount() + " of " + count + " sends never completed");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Outcomes(created.get(), gone.get(), limited.get(), failed.get(), other.get(), seconds, allocated() - bytes);
    }

    /** (c) {@code herald serve} end to end: seed N subscriptions, POST one notification to all, wait until completed. */
    private void serve(Path jar, String backend, String origin, String jfr) throws Exception {
        Path dir = Files.createTempDirectory("herald-h2");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        boolean mix = origin.equals(nginx.mixOrigin());
        List<String> flags = new ArrayList<>(List.of("--data-dir", dir.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--allow-private-endpoints", "true", "--vapid-subject", BenchFixture.SUBJECT, "--retry-min", "1"));
        SettingsLoader loader = SettingsLoader.empty().with(Option.DATA_DIR, dir.toString());
        String schema = null;
        if (backend.equals("postgres")) {
            schema = "herald_h2_" + System.nanoTime();
            DeliveryThroughput.postgres("CREATE SCHEMA " + schema);
            String url = DeliveryThroughput.POSTGRES_URL + "&currentSchema=" + schema;
            loader.with(Option.DATABASE_URL, url);
            flags.addAll(List.of("--database-url", url));
        }
        DeliveryThroughput.seed(loader.build(), n, origin);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> keys = new ArrayList<>(List.of(java, "-jar", jar.toString(), "keys", "create", "--scope", "send"));
        keys.addAll(flags);
        String key = exec(keys, dir.resolve("keys.log")).strip();
        List<String> serve = new ArrayList<>(List.of(java, "-Xmx512m"));
        serve.addAll(nginx.trustFlags());
        if (jfr != null) {
            serve.add("-XX:StartFlightRecording=filename=" + Path.of(jfr).toAbsolutePath() + ",settings=profile,dumponexit=true");
        }
        serve.addAll(List.of("-jar", jar.toString(), "serve"));
        serve.addAll(flags);
        Process herald = new ProcessBuilder(serve).redirectErrorStream(true).redirectOutput(dir.resolve("herald.log").toFile()).start();
        try (HttpClient http = HttpClient.newHttpClient()) {
            String base = "http://127.0.0.1:" + port;
            waitUntilUp(http, base, herald);
            long start = System.nanoTime();
            String id = DeliveryThroughput.sendToAll(http, base, key);
            JsonNode status = DeliveryThroughput.awaitCompleted(http, base, key, id, 50, Duration.ofMinutes(5));
            double seconds = (System.nanoTime() - start) / 1e9;
            long hwmKb = Files.readAllLines(Path.of("/proc/" + herald.pid() + "/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0L);
            JsonNode counts = status.get("counts");
            int done = mix ? n : counts.get("sent").asInt();
            add(new Row("herald serve, " + backend + (mix ? ", 201/410/429/503 mix" : ""), "POST → all recorded (durable queue)", done, seconds,
                    String.format("peak RSS %,d MB; %s: sent %d, gone %d, failed %d", hwmKb / 1024, status.get("status").asText(),
                            counts.get("sent").asInt(), counts.get("gone").asInt(), counts.get("failed").asInt())));
        } finally {
            herald.destroy();
            herald.waitFor(60, TimeUnit.SECONDS);
            if (schema != null) {
                DeliveryThroughput.postgres("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    /** (d) npm web-push: {@code interop/h2-loop.mjs}, keep-alive agent, {@code inFlight} at a time (HTTP/1.1 + TLS). */
    private void npm() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("node", "interop/h2-loop.mjs", nginx.origin(), Integer.toString(n), Integer.toString(inFlight));
        pb.environment().put("NODE_EXTRA_CA_CERTS", nginx.cert().toString());
        String out = exec(pb, null);
        JsonNode result = Json.MAPPER.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
        add(new Row("npm web-push 3.6.7 loop", "sendNotification, keep-alive, HTTP/1.1+TLS", result.get("sent").asInt(),
                result.get("seconds").asDouble(), result.get("failed").asInt() > 0 ? result.get("failed") + " failed" : ""));
    }

    /**
     * (e) {@code nl.martijndwars:web-push} 5.1.2: its {@code preparePost} (encryption + VAPID) on one shared Apache async
     * client with {@code inFlight} connections. Its own {@code sendAsync} starts a new client per message, which no
     * loop at this scale survives, so the shared client is the kind reading of it.
     */
    private void martijndwars() throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        BenchFixture f = new BenchFixture();
        PushService service = new PushService(f.vapid.publicKeyBase64Url(), f.vapid.privateKeyBase64Url(), BenchFixture.SUBJECT);
        try (CloseableHttpAsyncClient client = HttpAsyncClients.custom().setSSLContext(nginx.sslContext())
                .setMaxConnPerRoute(inFlight).setMaxConnTotal(inFlight).build()) {
            client.start();
            Semaphore permits = new Semaphore(inFlight);
            CountDownLatch done = new CountDownLatch(n);
            AtomicInteger created = new AtomicInteger();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Notification notification = new Notification(nginx.origin() + "/p/" + i, f.browser.p256dh(), f.browser.authBase64Url(),
                        BenchFixture.PAYLOAD);
                permits.acquire();
                client.execute(service.preparePost(notification, Encoding.AES128GCM), new FutureCallback<org.apache.http.HttpResponse>() {
                    @Override
                    public void completed(org.apache.http.HttpResponse response) {
                        if (response.getStatusLine().getStatusCode() == 201) {
                            created.incrementAndGet();
                        }
                        finish();
                    }

                    @Override
                    public void failed(Exception e) {
                        finish();
                    }

                    @Override
                    public void cancelled() {
                        finish();
                    }

                    private void finish() {
                        permits.release();
                        done.countDown();
                    }
                });
            }
            done.await();
            add(new Row("nl.martijndwars:web-push 5.1.2 loop", "preparePost + shared Apache client, HTTP/1.1+TLS", created.get(),
                    (System.nanoTime() - start) / 1e9, ""));
        }
    }

    private void print() {
        double herald = rows.stream().filter(r -> r.name().equals("herald serve, sqlite")).mapToDouble(Row::rate).findFirst().orElse(Double.NaN);
        System.out.println(uptime());
        System.out.printf("%n%d messages, %d in flight; ratio = rate / herald serve on SQLite%n%n", n, inFlight);
        System.out.println("| contender | what | done | seconds | per second | × Herald (SQLite) | notes |");
        System.out.println("|---|---|---:|---:|---:|---:|---|");
        for (Row r : rows) {
            System.out.printf("| %s | %s | %,d | %.2f | %,.0f | %.2f | %s |%n", r.name(), r.what(), r.count(), r.seconds(), r.rate(),
                    r.rate() / herald, r.note());
        }
    }

    private static String uptime() {
        try {
            return "load average (1/5/15 min): " + Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "load average unknown";
        }
    }

    private static void waitUntilUp(HttpClient http, String base, Process herald) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (!herald.isAlive()) {
                throw new IllegalStateException("herald serve exited");
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("herald serve did not become ready");
    }

    private static String exec(List<String> command, Path errors) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (errors != null) {
            pb.redirectError(errors.toFile());
        } else {
            pb.redirectErrorStream(true);
        }
        return exec(pb, errors);
    }

    private static String exec(ProcessBuilder pb, Path errors) throws Exception {
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", pb.command()) + " failed:\n" + out + (errors != null ? "see " + errors : ""));
        }
        return out;
    }
}
