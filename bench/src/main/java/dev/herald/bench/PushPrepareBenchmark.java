package dev.herald.bench;

import dev.herald.webpush.Base64Url;
import dev.herald.webpush.CryptoProviders;
import dev.herald.webpush.PreparedRequest;
import dev.herald.webpush.PushMessage;
import dev.herald.webpush.PushSubscription;
import dev.herald.webpush.WebPushSender;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import nl.martijndwars.webpush.Encoding;
import nl.martijndwars.webpush.Notification;
import nl.martijndwars.webpush.PushService;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one prepared push message costs on one core (aes128gcm body with a fresh key and salt, plus every
 * header, VAPID included; nothing goes on the network), for Herald and its peers in one run:
 * <ul>
 *   <li>{@code herald}: {@link WebPushSender#prepare} with a parsed subscription, VAPID from the per-origin cache;</li>
 *   <li>{@code heraldFromStrings}: the same plus parsing the subscription's base64url keys, as a worker reading a row;</li>
 *   <li>{@code webpushJava}: {@code nl.martijndwars:web-push} 5.1.2 {@code preparePost} (BouncyCastle, AES128GCM);</li>
 *   <li>{@code npmWebPush}: npm {@code web-push} 3.6.7 {@code generateRequestDetails}, in a Node process driven from
 *       here in batches of 500 (the pipe round trip is amortised to well under 1 %);</li>
 *   <li>{@code cryptoFloor}: the bare primitives with the active provider and reused JCA objects: P-256 key
 *       generation, ECDH, five HMAC-SHA-256 (HKDF), one AES-128-GCM seal.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class PushPrepareBenchmark {
    private static final int NODE_BATCH = 500;

    @State(Scope.Benchmark)
    public static class HeraldState {
        WebPushSender sender;
        PushSubscription subscription;
        PushMessage message;
        String p256dh;
        String auth;

        @Setup
        public void setUp() {
            System.err.println("crypto provider: " + CryptoProviders.install());
            BenchFixture f = new BenchFixture();
            sender = WebPushSender.builder().vapid(f.vapid, BenchFixture.SUBJECT).build();
            p256dh = f.browser.p256dh();
            auth = f.browser.authBase64Url();
            subscription = f.browser.subscription(BenchFixture.ENDPOINT);
            message = PushMessage.builder().payload(BenchFixture.PAYLOAD).ttlSeconds(60).build();
        }

        @TearDown
        public void tearDown() {
            sender.close();
        }
    }

    @State(Scope.Benchmark)
    public static class WebPushJavaState {
        PushService service;
        Notification notification;

        @Setup
        public void setUp() throws Exception {
            Security.addProvider(new BouncyCastleProvider());
            BenchFixture f = new BenchFixture();
            service = new PushService(f.vapid.publicKeyBase64Url(), f.vapid.privateKeyBase64Url(), BenchFixture.SUBJECT);
            notification = new Notification(BenchFixture.ENDPOINT, f.browser.p256dh(), f.browser.authBase64Url(),
                    BenchFixture.PAYLOAD);
        }
    }

    @State(Scope.Benchmark)
    public static class NodeState {
        Process node;
        OutputStream toNode;
        BufferedReader fromNode;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            Path dir = Path.of(System.getProperty("herald.interop.dir", "interop")).toAbsolutePath();
            if (!Files.isDirectory(dir.resolve("node_modules/web-push"))) {
                throw new IllegalStateException("run 'npm ci' in " + dir + " first (or pass -Dherald.interop.dir=…)");
            }
            BenchFixture f = new BenchFixture();
            node = new ProcessBuilder("node", "bench-driver.mjs").directory(dir.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            toNode = node.getOutputStream();
            fromNode = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
            String config = "{\"endpoint\":\"" + BenchFixture.ENDPOINT + "\",\"p256dh\":\"" + f.browser.p256dh()
                    + "\",\"auth\":\"" + f.browser.authBase64Url() + "\",\"payload\":\"" + Base64Url.encode(BenchFixture.PAYLOAD)
                    + "\",\"vapidSubject\":\"" + BenchFixture.SUBJECT + "\",\"vapidPublic\":\"" + f.vapid.publicKeyBase64Url()
                    + "\",\"vapidPrivate\":\"" + f.vapid.privateKeyBase64Url() + "\"}\n";
            toNode.write(config.getBytes(StandardCharsets.UTF_8));
            toNode.flush();
            if (!"ready".equals(fromNode.readLine())) {
                throw new IllegalStateException("node bench driver did not start");
            }
        }

        String batch(int n) throws IOException {
            toNode.write((n + "\n").getBytes(StandardCharsets.US_ASCII));
            toNode.flush();
            return fromNode.readLine();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            toNode.close();
            node.destroy();
        }
    }

    @State(Scope.Thread)
    public static class FloorState {
        KeyPairGenerator generator;
        KeyAgreement agreement;
        Mac mac;
        Cipher cipher;
        KeyPair browser;
        byte[] salt = new byte[16];
        byte[] auth = new byte[16];

        @Setup
        public void setUp() throws Exception {
            CryptoProviders.install();
            generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            browser = generator.generateKeyPair();
            agreement = KeyAgreement.getInstance("ECDH");
            mac = Mac.getInstance("HmacSHA256");
            cipher = Cipher.getInstance("AES/GCM/NoPadding");
        }

        byte[] hmac(byte[] key, byte[] data) throws Exception {
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        }
    }

    @Benchmark
    public PreparedRequest herald(HeraldState s) {
        return s.sender.prepare(s.subscription, s.message);
    }

    @Benchmark
    public PreparedRequest heraldFromStrings(HeraldState s) {
        return s.sender.prepare(PushSubscription.of(BenchFixture.ENDPOINT, s.p256dh, s.auth), s.message);
    }

    @Benchmark
    public Object webpushJava(WebPushJavaState s) throws Exception {
        return s.service.preparePost(s.notification, Encoding.AES128GCM);
    }

    @Benchmark
    @OperationsPerInvocation(NODE_BATCH)
    public String npmWebPush(NodeState s) throws IOException {
        return s.batch(NODE_BATCH);
    }

    @Benchmark
    public byte[] cryptoFloor(FloorState s) throws Exception {
        KeyPair ephemeral = s.generator.generateKeyPair();
        s.agreement.init(ephemeral.getPrivate());
        s.agreement.doPhase(s.browser.getPublic(), true);
        byte[] shared = s.agreement.generateSecret();
        byte[] ikm = s.hmac(s.hmac(s.auth, shared), BenchFixture.PAYLOAD);
        byte[] prk = s.hmac(s.salt, ikm);
        byte[] cek = java.util.Arrays.copyOf(s.hmac(prk, BenchFixture.PAYLOAD), 16);
        byte[] nonce = java.util.Arrays.copyOf(s.hmac(prk, s.salt), 12);
        s.cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
        return s.cipher.doFinal(BenchFixture.PAYLOAD);
    }
}
