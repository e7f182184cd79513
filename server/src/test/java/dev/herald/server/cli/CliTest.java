package dev.herald.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.herald.webpush.UserAgentKeys;
import dev.herald.webpush.VapidKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CliTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final AtomicInteger status = new AtomicInteger(201);
    private final List<byte[]> bodies = new CopyOnWriteArrayList<>();
    private HttpServer pushService;

    @BeforeEach
    void startPushService() throws Exception {
        pushService = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pushService.createContext("/", ex -> {
            try (ex) {
                bodies.add(ex.getRequestBody().readAllBytes());
                ex.getResponseHeaders().add("Location", "/m/1");
                ex.sendResponseHeaders(status.get(), -1);
            }
        });
        pushService.start();
    }

    @AfterEach
    void stop() {
        pushService.stop(0);
    }

    private int run(String... args) {
        return HeraldCommand.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String[] sendArgs(UserAgentKeys ua, VapidKeys vapid, String... extra) {
        return sendArgs("mailto:ops@herald.example", ua, vapid, extra);
    }

    private String[] sendArgs(String subject, UserAgentKeys ua, VapidKeys vapid, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("push", "send",
                "--endpoint", "http://127.0.0.1:" + pushService.getAddress().getPort() + "/push/abc",
                "--p256dh", ua.p256dh(), "--auth", ua.authBase64Url(),
                "--vapid-subject", subject,
                "--vapid-public", vapid.publicKeyBase64Url(), "--vapid-private", vapid.privateKeyBase64Url()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void vapidGenerateJsonPrintsAUsableKeyPair() throws Exception {
        assertThat(run("vapid", "generate", "--json")).isEqualTo(0);

        JsonNode json = new ObjectMapper().readTree(out());
        VapidKeys keys = VapidKeys.fromBase64Url(json.get("publicKey").asText(), json.get("privateKey").asText());
        assertThat(keys.publicKeyBase64Url()).hasSize(87);
    }

    @Test
    void vapidGeneratePrintsBothKeysForPeople() {
        assertThat(run("vapid", "generate")).isEqualTo(0);

        assertThat(out()).contains("Public Key:").contains("Private Key:");
    }

    @Test
    void pushSendDeliversAnEncryptedPayloadThatTheBrowserKeysDecrypt() throws Exception {
        UserAgentKeys ua = UserAgentKeys.generate();

        int code = run(sendArgs(ua, VapidKeys.generate(), "--payload", "héllo 👋", "--ttl", "60", "--urgency", "high"));

        assertThat(code).isEqualTo(0);
        assertThat(out()).startsWith("sent: 201 Created");
        assertThat(new String(ua.decrypt(bodies.get(0)), StandardCharsets.UTF_8)).isEqualTo("héllo 👋");
    }

    @Test
    void valuesThatBeginWithHelpOrVersionFlagsAreTakenAsValues() throws Exception {
        // 1 in 2,048 base64url secrets begins with -h or -V; such a value must not print the usage text instead
        UserAgentKeys ua = new UserAgentKeys(UserAgentKeys.generate().keyPair(),
                dev.herald.webpush.Base64Url.decode("-hAAAAAAAAAAAAAAAAAAAA", "auth"));
        VapidKeys vapid = VapidKeys.generate();
        while (!vapid.privateKeyBase64Url().startsWith("-h") && !vapid.privateKeyBase64Url().startsWith("-V")) {
            vapid = VapidKeys.generate();
        }
        List<List<String>> variants = List.of(List.of("--payload", "-hello"), List.of("--payload=-hello"),
                List.of("--payload", "-Version 2"), List.of("--payload", "-h"), List.of("--payload", "--help"));
        for (List<String> payload : variants) {
            out.reset();
            err.reset();
            List<String> args = new java.util.ArrayList<>(List.of(sendArgs(ua, vapid, payload.toArray(String[]::new))));
            // the secrets as --auth=-h… too (attached), the way a script passes them
            args.replaceAll(a -> a.equals("--auth") ? "--auth=" + ua.authBase64Url() : a);
            args.remove(ua.authBase64Url());

            int code = run(args.toArray(String[]::new));

            assertThat(code).as(payload + ": " + out() + err()).isEqualTo(0);
            assertThat(out()).as(payload.toString()).startsWith("sent: 201 Created").doesNotContain("Usage:");
            String expected = payload.size() == 1 ? payload.get(0).substring("--payload=".length()) : payload.get(1);
            assertThat(new String(ua.decrypt(bodies.get(bodies.size() - 1)), StandardCharsets.UTF_8)).isEqualTo(expected);
        }
        assertThat(ua.authBase64Url()).startsWith("-h");
        assertThat(run("push", "send", "--help")).as("help still works").isZero();
        assertThat(out()).contains("Usage:");
    }

    @Test
    void serverSettingsTakeSecretsThatBeginWithHelpOrVersionFlags() {
        for (List<String> args : List.of(List.of("--user-token-secret", "-h" + "A".repeat(40)),
                List.of("--user-token-secret=-V" + "A".repeat(40)))) {
            picocli.CommandLine cl = HeraldCommand.commandLine(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            List<String> all = new java.util.ArrayList<>(List.of("serve", "--demo"));
            all.addAll(args);
            all.addAll(List.of("--port", "0"));

            cl.parseArgs(all.toArray(String[]::new));

            picocli.CommandLine.Model.CommandSpec serve = cl.getSubcommands().get("serve").getCommandSpec();
            assertThat((String) serve.findOption("--user-token-secret").getValue()).as(args.toString()).endsWith("A".repeat(40));
            assertThat((String) serve.findOption("--port").getValue()).isEqualTo("0");
            assertThat((String) serve.findOption("--demo").getValue()).isEqualTo("true");
        }
    }

    @Test
    void pushSendReportsAGoneSubscription() {
        status.set(410);

        int code = run(sendArgs(UserAgentKeys.generate(), VapidKeys.generate(), "--payload", "x"));

        assertThat(code).isEqualTo(1);
        assertThat(err()).contains("refused: 410 subscription is gone");
    }

    @Test
    void aFlagWithoutItsOptionalValueLeavesTheNextOptionAlone(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        // `serve --demo --port 9000` style: the boolean takes no value and the next option is read as an option
        int code = run("keys", "list", "--allow-private-endpoints", "--data-dir", dir.toString(), "--demo",
                "--vapid-subject", "mailto:ops@herald.example");

        assertThat(code).as(out() + err()).isZero();
        assertThat(err()).doesNotContain("Unmatched argument");
    }

    @Test
    void badInputIsOneClearLineAndExitCode2NeverAStackTrace() {
        UserAgentKeys ua = UserAgentKeys.generate();
        VapidKeys vapid = VapidKeys.generate();
        record Case(String[] args, String message) {}
        List<Case> cases = List.of(
                new Case(sendArgs(ua, vapid, "--urgency", "urgent"), "urgency must be one of"),
                new Case(sendArgs(ua, vapid, "--topic", "way-too-long-topic-name-over-32-chars"), "topic must be"),
                new Case(sendArgs(ua, vapid, "--ttl", "-5"), "TTL is required and must be >= 0"),
                new Case(sendArgs(ua, vapid, "--payload", "x".repeat(4000)), "payload is 4000 bytes; at most 3993"),
                new Case(sendArgs(ua, vapid, "--encoding", "gzip"), "unknown content encoding"),
                new Case(sendArgs("mailto:me@localhost", ua, vapid), "names a local host"),
                new Case(sendArgs(ua, vapid, "--ttl", "soon"), "Invalid value for option '--ttl'"),
                new Case(new String[] {"push", "send", "--endpoint", "https://x.example/p", "--p256dh", "AAAA",
                        "--auth", ua.authBase64Url(), "--vapid-subject", "mailto:a@b.example",
                        "--vapid-public", vapid.publicKeyBase64Url(), "--vapid-private", vapid.privateKeyBase64Url()},
                        "p256dh must be an uncompressed P-256 point"),
                new Case(new String[] {"push", "send", "--endpoint", "https://x.example/p", "--p256dh", ua.p256dh(),
                        "--auth", "AAAA", "--vapid-subject", "mailto:a@b.example",
                        "--vapid-public", vapid.publicKeyBase64Url(), "--vapid-private", vapid.privateKeyBase64Url()},
                        "auth must be a 16-byte secret, got 3 bytes"),
                new Case(new String[] {"push", "send", "--endpoint", "https://x.example/p", "--p256dh", ua.p256dh(),
                        "--auth", ua.authBase64Url(), "--vapid-subject", "mailto:a@b.example",
                        "--vapid-public", vapid.publicKeyBase64Url(), "--vapid-private", VapidKeys.generate().privateKeyBase64Url()},
                        "VAPID public key does not belong to the private key"),
                new Case(new String[] {"push", "send", "--endpoint", "https://x.example/p"}, "Missing required options"));
        for (Case c : cases) {
            err.reset();

            int code = run(c.args());

            assertThat(code).as(String.join(" ", c.args())).isEqualTo(2);
            assertThat(err()).as(String.join(" ", c.args())).contains(c.message()).doesNotContain("\tat ");
        }
        assertThat(bodies).isEmpty();
    }
}
