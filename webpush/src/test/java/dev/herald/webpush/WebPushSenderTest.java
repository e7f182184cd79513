package dev.herald.webpush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebPushSenderTest {
    private final VapidKeys vapid = VapidKeys.generate();
    private final UserAgentKeys browser = UserAgentKeys.generate();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final ScriptedPushService service = newService();
    private final WebPushSender sender = WebPushSender.builder()
            .vapid(vapid, "mailto:ops@herald.example")
            .clock(clock)
            .requestTimeout(Duration.ofSeconds(5))
            .build();

    private static ScriptedPushService newService() {
        try {
            return new ScriptedPushService();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() {
        sender.close();
        service.close();
    }

    private DeliveryResult send(String payload) {
        return sender.send(browser.subscription(service.endpoint("/push/abc").toString()),
                PushMessage.builder().payload(payload).ttlSeconds(60).build()).join();
    }

    @Test
    void createdCarriesTheMessageLocationAndTheRequestIsCompleteAndDecryptable() throws Exception {
        service.respond(201, Map.of("Location", "https://push.example/m/42"), "");

        DeliveryResult result = sender.send(browser.subscription(service.endpoint("/push/abc").toString()),
                PushMessage.builder().payload("Grüße 👋").ttlSeconds(60).urgency(Urgency.HIGH).topic("news").build()).join();

        assertThat(result).isEqualTo(new DeliveryResult.Created(Optional.of(URI.create("https://push.example/m/42"))));
        ScriptedPushService.Received r = service.received.get(0);
        assertThat(r.path()).isEqualTo("/push/abc");
        assertThat(r.headers()).containsEntry("TTL", "60").containsEntry("Urgency", "high").containsEntry("Topic", "news")
                .containsEntry("Content-Encoding", "aes128gcm").containsEntry("Content-Type", "application/octet-stream");
        assertThat(new String(browser.decrypt(r.body()), StandardCharsets.UTF_8)).isEqualTo("Grüße 👋");
        VapidJwt.Credentials credentials = VapidJwt.parseAuthorization(r.headers().get("Authorization"), null);
        assertThat(credentials.publicKey()).isEqualTo(vapid.publicKeyBase64Url());
        assertThat(VapidJwt.verify(credentials.token(), vapid.publicKey(), clock).audience())
                .isEqualTo(service.endpoint("").toString().replaceAll("/$", ""));
    }

    @Test
    void aesgcmRequestCarriesSaltAndKeysInHeaders() throws Exception {
        sender.send(browser.subscription(service.endpoint("/push/abc").toString()),
                PushMessage.builder().payload("legacy").encoding(ContentEncoding.AESGCM).build()).join();

        ScriptedPushService.Received r = service.received.get(0);
        assertThat(r.headers().get("Content-Encoding")).isEqualTo("aesgcm");
        assertThat(r.headers().get("Authorization")).startsWith("WebPush ");
        String salt = r.headers().get("Encryption").substring("salt=".length());
        String dh = r.headers().get("Crypto-Key").split(";")[0].substring("dh=".length());
        assertThat(r.headers().get("Crypto-Key")).endsWith(";p256ecdsa=" + vapid.publicKeyBase64Url());
        assertThat(new String(browser.decryptAesgcm(r.body(), Base64Url.decode(salt, "salt"), Base64Url.decode(dh, "dh")),
                StandardCharsets.UTF_8)).isEqualTo("legacy");
    }

    @Test
    void pushWithoutPayloadHasNoBodyAndNoEncryptionHeaders() {
        sender.send(browser.subscription(service.endpoint("/push/abc").toString()), PushMessage.builder().build()).join();

        ScriptedPushService.Received r = service.received.get(0);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers()).doesNotContainKey("Content-Encoding").containsKey("Authorization");
    }

    @Test
    void everyAnswerBecomesItsResult() {
        service.respond(404, Map.of(), "");
        assertThat(send("x")).isEqualTo(new DeliveryResult.Gone(404, ""));
        service.respond(410, Map.of(), "{\"errno\":103,\"message\":\"expired\"}");
        assertThat(send("x")).isEqualTo(new DeliveryResult.Gone(410, "{\"errno\":103,\"message\":\"expired\"}"));
        service.respond(413, Map.of(), "too big");
        assertThat(send("x")).isEqualTo(new DeliveryResult.PayloadTooLarge("too big"));
        service.respond(429, Map.of("Retry-After", "120"), "");
        assertThat(send("x")).isEqualTo(new DeliveryResult.RateLimited(Optional.of(Duration.ofSeconds(120)), ""));
        service.respond(429, Map.of("Retry-After", "Mon, 23 Nov 2026 10:05:00 GMT"), "");
        assertThat(send("x")).isEqualTo(new DeliveryResult.RateLimited(Optional.of(Duration.ofMinutes(5)), ""));
        service.respond(429, Map.of("Retry-After", "soon"), "");
        assertThat(send("x")).isEqualTo(new DeliveryResult.RateLimited(Optional.empty(), ""));
        service.respond(401, Map.of(), "bad jwt");
        assertThat(send("x")).isEqualTo(new DeliveryResult.Unauthorized(401, "bad jwt"));
        service.respond(403, Map.of(), "key mismatch");
        assertThat(send("x")).isEqualTo(new DeliveryResult.Unauthorized(403, "key mismatch"));
        service.respond(400, Map.of(), "bad ttl");
        assertThat(send("x")).isEqualTo(new DeliveryResult.Rejected(400, "bad ttl"));
        service.respond(500, Map.of(), "");
        assertThat(send("x")).isEqualTo(new DeliveryResult.ServerError(500, Optional.empty(), ""));
        service.respond(503, Map.of("Retry-After", "7"), "down");
        assertThat(send("x")).isEqualTo(new DeliveryResult.ServerError(503, Optional.of(Duration.ofSeconds(7)), "down"));
        service.respond(302, Map.of("Location", "https://elsewhere.example"), "");
        assertThat(send("x")).isEqualTo(new DeliveryResult.Rejected(302, ""));
    }

    @Test
    void onlyTransientAnswersAreRetryable() {
        assertThat(new DeliveryResult.Gone(410, "").retryable()).isFalse();
        assertThat(new DeliveryResult.Unauthorized(403, "").retryable()).isFalse();
        assertThat(new DeliveryResult.RateLimited(Optional.empty(), "").retryable()).isTrue();
        assertThat(new DeliveryResult.ServerError(502, Optional.empty(), "").retryable()).isTrue();
        assertThat(new DeliveryResult.TransportFailure(DeliveryResult.TransportFailure.Kind.IO, "").retryable()).isTrue();
    }

    @Test
    void hugeErrorBodyIsReadToTheEndButOnlyItsStartIsKept() {
        service.respond(400, Map.of(), "e".repeat(1_000_000));

        DeliveryResult result = send("x");
        DeliveryResult again = send("x");

        assertThat(((DeliveryResult.Rejected) result).reason()).hasSize(4096);
        assertThat(again).isInstanceOf(DeliveryResult.Rejected.class);
        assertThat(service.distinctConnections()).isEqualTo(1);
    }

    @Test
    void sequentialSendsReuseOneConnection() {
        for (int i = 0; i < 10; i++) {
            assertThat(send("m" + i)).isInstanceOf(DeliveryResult.Created.class);
        }

        assertThat(service.received).hasSize(10);
        assertThat(service.distinctConnections()).isEqualTo(1);
    }

    @Test
    void vapidIsSignedOncePerOriginAcrossMessages() {
        send("a");
        send("b");

        assertThat(service.received.get(0).headers().get("Authorization"))
                .isEqualTo(service.received.get(1).headers().get("Authorization"));
    }

    @Test
    void slowReplyTimesOutAsATransportFailure() {
        CountDownLatch release = new CountDownLatch(1);
        service.respond(ex -> {
            release.await(30, TimeUnit.SECONDS);
            return new ScriptedPushService.Reply(201, Map.of(), "");
        });
        try (WebPushSender impatient = WebPushSender.builder().vapid(vapid, "mailto:ops@herald.example")
                .requestTimeout(Duration.ofMillis(300)).build()) {
            DeliveryResult result = impatient.send(browser.subscription(service.endpoint("/slow").toString()),
                    PushMessage.builder().payload("x").build()).join();

            assertThat(result).isInstanceOfSatisfying(DeliveryResult.TransportFailure.class,
                    f -> assertThat(f.kind()).isEqualTo(DeliveryResult.TransportFailure.Kind.TIMEOUT));
        } finally {
            release.countDown();
        }
    }

    @Test
    void droppedConnectionIsATransportFailure() throws Exception {
        try (ServerSocket dropper = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!dropper.isClosed()) {
                    try (Socket s = dropper.accept(); InputStream in = s.getInputStream()) {
                        in.read(new byte[8192]); // read part of the request, then hang up without answering
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            DeliveryResult result = sender.send(browser.subscription("http://127.0.0.1:" + dropper.getLocalPort() + "/p"),
                    PushMessage.builder().payload("x").build()).join();

            assertThat(result).isInstanceOfSatisfying(DeliveryResult.TransportFailure.class,
                    f -> assertThat(f.kind()).isEqualTo(DeliveryResult.TransportFailure.Kind.IO));
        }
    }

    @Test
    void refusedConnectionIsAConnectFailure() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }

        DeliveryResult result = sender.send(browser.subscription("http://127.0.0.1:" + port + "/p"),
                PushMessage.builder().payload("x").build()).join();

        assertThat(result).isInstanceOfSatisfying(DeliveryResult.TransportFailure.class,
                f -> assertThat(f.kind()).isEqualTo(DeliveryResult.TransportFailure.Kind.CONNECT));
    }

    @Test
    void requestsInFlightPerOriginAreBounded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (WebPushSender bounded = WebPushSender.builder().vapid(vapid, "mailto:ops@herald.example")
                .maxConcurrentPerOrigin(2).maxQueuedPerOrigin(3).build()) {
            CountDownLatch twoArrived = new CountDownLatch(2);
            service.respond(ex -> {
                twoArrived.countDown();
                release.await(30, TimeUnit.SECONDS);
                return new ScriptedPushService.Reply(201, Map.of(), "");
            });
            PushSubscription sub = browser.subscription(service.endpoint("/p").toString());
            PushMessage msg = PushMessage.builder().payload("x").build();
            List<CompletableFuture<DeliveryResult>> sent = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                sent.add(bounded.send(sub, msg));
            }
            CompletableFuture<DeliveryResult> overflow = bounded.send(sub, msg);

            assertThatThrownBy(overflow::join).hasCauseInstanceOf(java.util.concurrent.RejectedExecutionException.class);
            assertThat(twoArrived.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(service.inHandler.get()).isEqualTo(2);
            release.countDown();
            assertThat(sent).allSatisfy(f -> assertThat(f.join()).isInstanceOf(DeliveryResult.Created.class));
            assertThat(service.maxInHandler.get()).isEqualTo(2);
        } finally {
            release.countDown();
        }
    }

    @Test
    void listenerSeesEveryResult() {
        List<DeliveryResult> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (WebPushSender observed = WebPushSender.builder().vapid(vapid, "mailto:ops@herald.example")
                .listener((origin, result, latency) -> seen.add(result)).build()) {
            service.respond(410, Map.of(), "");
            observed.send(browser.subscription(service.endpoint("/p").toString()), PushMessage.builder().build()).join();
        }

        assertThat(seen).containsExactly(new DeliveryResult.Gone(410, ""));
    }

    @Test
    void builderRefusesMissingOrBadSettings() {
        assertThatThrownBy(() -> WebPushSender.builder().build()).hasMessageContaining("VAPID keys are required");
        assertThatThrownBy(() -> WebPushSender.builder().vapid(vapid, "mailto:a@localhost").build())
                .hasMessageContaining("local host");
        assertThatThrownBy(() -> WebPushSender.builder().vapid(vapid, "mailto:a@b.example")
                .requestTimeout(Duration.ZERO).build()).hasMessage("requestTimeout must be a positive duration");
        assertThatThrownBy(() -> WebPushSender.builder().vapid(vapid, "mailto:a@b.example")
                .maxConcurrentPerOrigin(0).build()).hasMessageContaining("maxConcurrentPerOrigin");
    }
}
