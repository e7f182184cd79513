package dev.herald.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.webpush.Base64Url;
import dev.herald.webpush.VapidKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's secrets: the VAPID key pair and the user-token secret. Configured ones win; otherwise they are
 * read from {@code <data-dir>/keys.json}, which the first start creates with mode 600. Secrets are never
 * logged. With PostgreSQL and several nodes, configure them (every node must share the same keys).
 */
public record ServerKeys(VapidKeys vapid, byte[] userTokenSecret) {
    private static final Logger log = LoggerFactory.getLogger(ServerKeys.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A 32-byte key for one purpose, derived from the user-token secret (HMAC-SHA256 over a label), so every node
     * that shares the secret agrees on it and no further secret needs configuring.
     */
    public static byte[] derive(byte[] secret, String label) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always available", e);
        }
    }

    public static Path file(Settings settings) {
        return settings.dataDir().resolve("keys.json");
    }

    public static ServerKeys load(Settings settings) {
        Map<String, String> stored = readOrCreate(settings);
        VapidKeys vapid;
        try {
            vapid = settings.vapidPublicKey().isEmpty()
                    ? VapidKeys.fromBase64Url(stored.get("vapidPublicKey"), stored.get("vapidPrivateKey"))
                    : VapidKeys.fromBase64Url(settings.vapidPublicKey(), settings.vapidPrivateKey());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("VAPID keys: " + e.getMessage());
        }
        byte[] secret = settings.userTokenSecret().isEmpty()
                ? Base64Url.decode(stored.get("userTokenSecret"), "userTokenSecret in keys.json")
                : settings.userTokenSecret().getBytes(StandardCharsets.UTF_8);
        return new ServerKeys(vapid, secret);
    }

    /** Reads keys.json, creating it (owner-only) on first start when any secret is not configured. */
    private static Map<String, String> readOrCreate(Settings settings) {
        Map<String, String> stored = new LinkedHashMap<>();
        if (!settings.vapidPublicKey().isEmpty() && !settings.userTokenSecret().isEmpty()) {
            return stored;
        }
        Path file = file(settings);
        if (!Files.exists(file)) {
            VapidKeys fresh = VapidKeys.generate();
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            stored.put("vapidPublicKey", fresh.publicKeyBase64Url());
            stored.put("vapidPrivateKey", fresh.privateKeyBase64Url());
            stored.put("userTokenSecret", Base64Url.encode(secret));
            try {
                Files.createDirectories(settings.dataDir());
                write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(stored));
                log.info("generated VAPID keys and a user-token secret in {} (mode 600)", file);
                if (settings.postgres()) {
                    log.warn("keys were generated in this node's data dir; with several nodes, configure vapid-public-key, "
                            + "vapid-private-key and user-token-secret so every node shares them");
                }
                return stored;
            } catch (FileAlreadyExistsException e) {
                // another process created it first: read theirs
            } catch (IOException e) {
                throw new ConfigException("cannot write " + file + ": " + e.getMessage());
            }
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            for (String name : new String[] {"vapidPublicKey", "vapidPrivateKey", "userTokenSecret"}) {
                if (!node.path(name).isTextual()) {
                    throw new ConfigException(file + " lacks " + name + "; restore it from a backup or delete it to generate new keys "
                            + "(existing browser subscriptions then stop working)");
                }
                stored.put(name, node.get(name).asText());
            }
            return stored;
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static void write(Path file, byte[] content) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.write(file, content, StandardOpenOption.TRUNCATE_EXISTING);
    }

    @Override
    public String toString() {
        return "ServerKeys[vapid=" + vapid + "]";
    }
}
