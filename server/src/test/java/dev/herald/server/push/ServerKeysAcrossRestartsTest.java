package dev.herald.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.HeraldApp;
import dev.herald.server.config.Option;
import dev.herald.server.config.ServerKeys;
import dev.herald.server.config.Settings;
import dev.herald.server.config.SettingsLoader;
import dev.herald.server.http.Json;
import dev.herald.server.testing.Api;
import dev.herald.server.testing.Backend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The server's secrets keep their meaning when an operator moves them from data/keys.json into the configuration,
 * and rotating the user-token secret leaves embedded-push endpoints and receipts working (they have their own keys).
 */
class ServerKeysAcrossRestartsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static SettingsLoader node(Backend backend, Backend.TestDatabases databases) throws Exception {
        return backend.database(Files.createTempDirectory("keys-a"), databases)
                .with(Option.PORT, "0").with(Option.HOST, "127.0.0.1")
                .with(Option.VAPID_SUBJECT, "mailto:tests@herald.example");
    }

    /** An embedded-push endpoint path issued by {@code app}. */
    private static String endpoint(HeraldApp app) throws Exception {
        try (UserAgentClient ua = new UserAgentClient(app.port())) {
            ua.hello(null);
            return URI.create(ua.register(UUID.randomUUID().toString(), null).get("pushEndpoint").asText()).getPath();
        }
    }

    private static int push(HeraldApp app, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).header("TTL", "60")
                .header("Content-Encoding", "aes128gcm").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3}))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int preferences(HeraldApp app, String token) {
        return new Api("http://127.0.0.1:" + app.port()).get("/api/v1/me/preferences", token).status();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void secretsCopiedFromKeysJsonIntoTheConfigurationKeepTokensEndpointsAndReceiptsValid(Backend backend) throws Exception {
        try (Backend.TestDatabases databases = new Backend.TestDatabases()) {
            SettingsLoader shared = node(backend, databases);
            Settings generated = shared.build();
            String token;
            String endpoint;
            ServerKeys before = ServerKeys.load(generated);
            try (HeraldApp a = HeraldApp.start(generated)) {
                token = a.userTokens().mint("ada", Duration.ofHours(1)).token();
                endpoint = endpoint(a);
                assertThat(push(a, endpoint)).isEqualTo(201);
            }
            JsonNode stored = Json.MAPPER.readTree(Files.readString(generated.dataDir().resolve("keys.json")));
            // The same database (restored from a backup, or a second node) without keys.json, every secret configured
            Path restored = Files.createTempDirectory("keys-b");
            if (backend == Backend.SQLITE) {
                Files.copy(generated.dataDir().resolve("herald.db"), restored.resolve("herald.db"));
            }
            Settings configured = shared.with(Option.DATA_DIR, restored.toString())
                    .with(Option.VAPID_PUBLIC_KEY, stored.get("vapidPublicKey").asText())
                    .with(Option.VAPID_PRIVATE_KEY, stored.get("vapidPrivateKey").asText())
                    .with(Option.USER_TOKEN_SECRET, stored.get("userTokenSecret").asText())
                    .with(Option.ENDPOINT_TOKEN_KEY, stored.get("endpointTokenKey").asText())
                    .with(Option.RECEIPT_KEY, stored.get("receiptKey").asText()).build();
            try (HeraldApp b = HeraldApp.start(configured)) {
                assertThat(preferences(b, token)).as("a user token minted with the generated secret").isEqualTo(200);
                assertThat(push(b, endpoint)).as("an endpoint issued under the generated key").isEqualTo(201);
                assertThat(b.vapidPublicKey()).isEqualTo(before.vapid().publicKeyBase64Url());
            }
            assertThat(ServerKeys.load(configured).receipts()).isEqualTo(before.receipts());
            assertThat(Files.exists(configured.dataDir().resolve("keys.json"))).as("nothing left to generate").isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void rotatingTheUserTokenSecretInvalidatesTokensButNotEndpointsOrReceipts(Backend backend) throws Exception {
        try (Backend.TestDatabases databases = new Backend.TestDatabases()) {
            SettingsLoader shared = node(backend, databases);
            Settings first = shared.with(Option.USER_TOKEN_SECRET, "the first secret, at least 32 bytes long").build();
            String token;
            String endpoint;
            try (HeraldApp a = HeraldApp.start(first)) {
                token = a.userTokens().mint("ada", Duration.ofHours(1)).token();
                endpoint = endpoint(a);
            }
            ServerKeys before = ServerKeys.load(first);
            Settings rotated = shared.with(Option.USER_TOKEN_SECRET, "the second secret, also 32 bytes or more").build();
            try (HeraldApp b = HeraldApp.start(rotated)) {
                assertThat(preferences(b, token)).as("tokens of the old secret").isEqualTo(401);
                assertThat(preferences(b, b.userTokens().mint("ada", Duration.ofHours(1)).token())).isEqualTo(200);
                assertThat(push(b, endpoint)).as("the embedded-push endpoint survives the rotation").isEqualTo(201);
            }
            assertThat(ServerKeys.load(rotated).receipts()).isEqualTo(before.receipts());
            assertThat(ServerKeys.load(rotated).userTokenSecret()).isNotEqualTo(before.userTokenSecret());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void rotatingTheEndpointTokenKeyInvalidatesTheEndpointsItIssued(Backend backend) throws Exception {
        try (Backend.TestDatabases databases = new Backend.TestDatabases()) {
            SettingsLoader shared = node(backend, databases);
            String endpoint;
            try (HeraldApp a = HeraldApp.start(shared.build())) {
                endpoint = endpoint(a);
            }
            Path dataDir = shared.build().dataDir();
            try (HeraldApp b = HeraldApp.start(shared.with(Option.ENDPOINT_TOKEN_KEY, "a new endpoint-token key of 32+ bytes").build())) {
                assertThat(push(b, endpoint)).isEqualTo(404);
            }
            assertThat(Files.exists(dataDir.resolve("keys.json"))).isTrue();
        }
    }
}
