package dev.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.server.auth.UserTokens;
import dev.herald.server.http.Json;
import dev.herald.webpush.Base64Url;
import dev.herald.webpush.VapidKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One encoding for configured and generated secrets, and keys.json of an earlier version carried over unchanged. */
class ServerKeysTest {
    private static Settings settings(Path dir, Map<String, String> env) {
        return SettingsLoader.empty().with(Option.DATA_DIR, dir.toString()).env(env).build();
    }

    @Test
    void theGeneratedSecretMeansTheSameKeyWhenCopiedIntoTheConfiguration(@TempDir Path dir) throws Exception {
        ServerKeys generated = ServerKeys.load(settings(dir, Map.of()));
        JsonNode file = Json.MAPPER.readTree(Files.readString(dir.resolve("keys.json")));
        String secret = file.get("userTokenSecret").asText();

        ServerKeys configured = ServerKeys.load(settings(Files.createTempDirectory(dir, "other"),
                Map.of("HERALD_USER_TOKEN_SECRET", secret)));

        assertThat(configured.userTokenSecret()).isEqualTo(generated.userTokenSecret())
                .isEqualTo(secret.getBytes(StandardCharsets.UTF_8)); // what JWT libraries do with a string secret
        assertThat(secret).hasSize(43);
        assertThat(file.get("endpointTokenKey").asText()).isNotEqualTo(secret);
        assertThat(file.get("receiptKey").asText()).isNotEqualTo(secret).isNotEqualTo(file.get("endpointTokenKey").asText());
        assertThat(generated.endpointTokens()).isNotEqualTo(generated.receipts());
    }

    @Test
    void keysJsonOfAnEarlierVersionKeepsItsKeysAndIsRewrittenInTheOneEncoding(@TempDir Path dir) throws Exception {
        byte[] old = new byte[32];
        new java.security.SecureRandom().nextBytes(old);
        VapidKeys vapid = VapidKeys.generate();
        Files.writeString(dir.resolve("keys.json"), Json.stringify(Map.of("vapidPublicKey", vapid.publicKeyBase64Url(),
                "vapidPrivateKey", vapid.privateKeyBase64Url(), "userTokenSecret", Base64Url.encode(old))));
        Files.setPosixFilePermissions(dir.resolve("keys.json"), PosixFilePermissions.fromString("rw-r--r--"));
        String tokenOfTheOldServer = new UserTokens(old, Clock.systemUTC(), Duration.ofDays(1)).mint("ada", Duration.ofHours(1)).token();

        ServerKeys keys = ServerKeys.load(settings(dir, Map.of()));

        assertThat(keys.userTokenSecret()).isEqualTo(old);
        assertThat(new UserTokens(keys.userTokenSecret(), Clock.systemUTC(), Duration.ofDays(1)).verify(tokenOfTheOldServer)).isEqualTo("ada");
        assertThat(keys.endpointTokens()).as("endpoints issued before keep working")
                .isEqualTo(ServerKeys.derive(old, "herald push endpoints v1"));
        assertThat(keys.receipts()).isEqualTo(ServerKeys.derive(old, "herald receipts v1"));
        JsonNode file = Json.MAPPER.readTree(Files.readString(dir.resolve("keys.json")));
        assertThat(file.get("format").asInt()).isEqualTo(2);
        assertThat(file.get("userTokenSecret").asText()).isEqualTo("base64url:" + Base64Url.encode(old));
        assertThat(file.get("vapidPrivateKey").asText()).isEqualTo(vapid.privateKeyBase64Url());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("keys.json")))).isEqualTo("rw-------");
        // and the rewritten value, copied into the configuration, is the same key
        assertThat(ServerKeys.load(settings(Files.createTempDirectory(dir, "b"),
                Map.of("HERALD_USER_TOKEN_SECRET", file.get("userTokenSecret").asText()))).userTokenSecret()).isEqualTo(old);
        assertThat(ServerKeys.load(settings(dir, Map.of())).userTokenSecret()).as("read again unchanged").isEqualTo(old);
    }

    @Test
    void aConfiguredTextSecretOfAnEarlierVersionKeepsItsMeaningAndSeedsTheNewKeys(@TempDir Path dir) {
        String secret = "0123456789abcdef0123456789abcdef"; // hex text, used as its UTF-8 bytes as before
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);

        ServerKeys keys = ServerKeys.load(settings(dir, Map.of("HERALD_USER_TOKEN_SECRET", secret)));

        assertThat(keys.userTokenSecret()).isEqualTo(bytes);
        assertThat(keys.endpointTokens()).isEqualTo(ServerKeys.derive(bytes, "herald push endpoints v1"));
        assertThat(keys.receipts()).isEqualTo(ServerKeys.derive(bytes, "herald receipts v1"));
        // pinned in keys.json: a later change of the user-token secret leaves them alone
        ServerKeys rotated = ServerKeys.load(settings(dir, Map.of("HERALD_USER_TOKEN_SECRET", "a rotated secret, 32 bytes or longer")));
        assertThat(rotated.endpointTokens()).isEqualTo(keys.endpointTokens());
        assertThat(rotated.receipts()).isEqualTo(keys.receipts());
    }

    @Test
    void base64urlValuesAreDecodedAndBadOnesStopStartNamingTheirSource(@TempDir Path dir) {
        byte[] raw = new byte[40];
        raw[0] = (byte) 0xff;
        ServerKeys keys = ServerKeys.load(settings(dir, Map.of("HERALD_RECEIPT_KEY", "base64url:" + Base64Url.encode(raw))));
        assertThat(keys.receiptKey()).isEqualTo(raw);

        assertThatThrownBy(() -> settings(dir, Map.of("HERALD_ENDPOINT_TOKEN_KEY", "base64url:not*base64")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("HERALD_ENDPOINT_TOKEN_KEY");
        assertThatThrownBy(() -> settings(dir, Map.of("HERALD_USER_TOKEN_SECRET", "base64url:" + Base64Url.encode(new byte[16]))))
                .isInstanceOf(ConfigException.class).hasMessage("HERALD_USER_TOKEN_SECRET must be at least 32 bytes "
                        + "(e.g. the output of openssl rand -hex 32)");
        assertThatThrownBy(() -> settings(dir, Map.of("HERALD_RECEIPT_KEY", "short")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("HERALD_RECEIPT_KEY must be at least 32 bytes");
    }
}
