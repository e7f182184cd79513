package dev.herald.webpush;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What real push services refuse, and how the sender avoids or reports it. */
class PushServiceRefusalsTest {
    private final UserAgentKeys browser = UserAgentKeys.generate();
    private final WebPushSender sender = WebPushSender.builder().vapid(VapidKeys.generate(), "mailto:ops@herald.example")
            .clock(new MutableClock(Instant.parse("2026-11-23T10:00:00Z"))).requestTimeout(Duration.ofSeconds(5)).build();
    private ScriptedPushService service;

    @BeforeEach
    void start() throws Exception {
        service = new ScriptedPushService();
    }

    @AfterEach
    void stop() {
        sender.close();
        service.close();
    }

    private DeliveryResult send(byte[] payload, ContentEncoding encoding, int padding) {
        return sender.send(browser.subscription(service.endpoint("/push/abc").toString()),
                PushMessage.builder().payload(payload).encoding(encoding).padding(padding).ttlSeconds(60).build()).join();
    }

    /** Firefox for Android's push service: 413 for any body over 3,070 bytes. */
    private void likeFirefoxForAndroid() {
        service.respond(ex -> service.received.get(service.received.size() - 1).body().length > 3070
                ? new ScriptedPushService.Reply(413, Map.of(), "{\"code\":413,\"errno\":104,\"error\":\"Payload Too Large\"}")
                : new ScriptedPushService.Reply(201, Map.of(), ""));
    }

    @ParameterizedTest
    @EnumSource(ContentEncoding.class)
    void paddingNeverTakesAPayloadThatFitsFirefoxForAndroidPastIt(ContentEncoding encoding) throws Exception {
        likeFirefoxForAndroid();
        int fits = encoding.maxPlaintext() - (4096 - 3070);
        assertThat(fits).isEqualTo(encoding == ContentEncoding.AES128GCM ? 2967 : 3052);
        byte[] payload = new byte[fits];
        Arrays.fill(payload, (byte) 'x');

        assertThat(send(payload, encoding, 20)).as("the largest payload that fits, with padding asked for")
                .isInstanceOf(DeliveryResult.Created.class);
        assertThat(service.received.get(0).body()).hasSize(3070);
        assertThat(send("short".getBytes(StandardCharsets.UTF_8), encoding, 900)).isInstanceOf(DeliveryResult.Created.class);
        assertThat(service.received.get(1).body().length).as("small payloads keep their padding")
                .isEqualTo(encoding == ContentEncoding.AES128GCM ? 86 + 5 + 1 + 900 + 16 : 2 + 5 + 900 + 16);
        assertThat(send(Arrays.copyOf(payload, fits + 1), encoding, 0)).as("past the limit only by its own size")
                .isInstanceOf(DeliveryResult.PayloadTooLarge.class);
        assertThat(service.received.get(2).body()).hasSize(3071);
        if (encoding == ContentEncoding.AES128GCM) {
            assertThat(browser.decrypt(service.received.get(0).body())).isEqualTo(payload);
        }
    }

    @Test
    void refusalReasonsAreReadFromTheBody() {
        assertThat(DeliveryResult.reasonCode("{\"reason\":\"BadJwtToken\"}")).hasValue("BadJwtToken");
        assertThat(DeliveryResult.reasonCode("{\"error\":{\"code\":403,\"message\":\"the key in the authorization header does not "
                + "correspond\",\"status\":\"PERMISSION_DENIED\",\"details\":[{\"@type\":\"type.googleapis.com/google.firebase.fcm.v1.FcmError\","
                + "\"errorCode\":\"VapidPkHashMismatch\"}]}}")).hasValue("VapidPkHashMismatch");
        assertThat(DeliveryResult.reasonCode("<HTML><TITLE>VapidPkHashMismatch</TITLE></HTML>")).hasValue("VapidPkHashMismatch");
        assertThat(DeliveryResult.reasonCode("bad ttl")).isEmpty();
        assertThat(DeliveryResult.reasonCode("")).isEmpty();
        assertThat(DeliveryResult.reasonCode(null)).isEmpty();
    }

    @Test
    void chromesNotFoundIsGone() {
        service.respond(404, Map.of(), "<HTML><BODY>Not Found</BODY></HTML>");
        assertThat(send("x".getBytes(StandardCharsets.UTF_8), ContentEncoding.AES128GCM, 0))
                .isEqualTo(new DeliveryResult.Gone(404, "<HTML><BODY>Not Found</BODY></HTML>"));
        assertThat(send("x".getBytes(StandardCharsets.UTF_8), ContentEncoding.AES128GCM, 0).retryable()).isFalse();
    }
}
