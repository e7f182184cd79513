package dev.herald.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.server.common.PrivateFiles;
import dev.herald.webpush.VapidKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's secrets: the VAPID key pair, the user-token secret, the embedded push service's endpoint-token key
 * and the receipt key. Each is used for one thing only, so rotating one breaks only what it signs. Configured ones
 * win; otherwise they are read from {@code <data-dir>/keys.json} (mode 600), which the server writes when one is
 * missing. Symmetric secrets have one encoding ({@link Secrets}) in the file and in the configuration. Secrets are
 * never logged. With PostgreSQL and several nodes, configure them all (every node must share the same keys).
 */
public record ServerKeys(VapidKeys vapid, byte[] userTokenSecret, byte[] endpointTokenKey, byte[] receiptKey) {
    private static final Logger log = LoggerFactory.getLogger(ServerKeys.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** keys.json written since secrets have one encoding; a file without it holds a base64url-decoded secret. */
    private static final int FORMAT = 2;
    private static final String VAPID_PUBLIC = "vapidPublicKey";
    private static final String VAPID_PRIVATE = "vapidPrivateKey";
    private static final String USER_TOKEN = "userTokenSecret";
    private static final String ENDPOINT = "endpointTokenKey";
    private static final String RECEIPT = "receiptKey";

    /** A 32-byte key for one purpose, derived from a secret (HMAC-SHA256 over a label). */
    public static byte[] derive(byte[] secret, String label) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always available", e);
        }
    }

    /** The AES key of the embedded push service's endpoint tokens. */
    public byte[] endpointTokens() {
        return derive(endpointTokenKey, "herald push endpoints v1");
    }

    /** The HMAC key of delivery receipts. */
    public byte[] receipts() {
        return derive(receiptKey, "herald receipts v1");
    }

    public static Path file(Settings settings) {
        return settings.dataDir().resolve("keys.json");
    }

    public static ServerKeys load(Settings settings) {
        Map<String, String> stored = readOrCreate(settings);
        if (settings.vapidPublicKey().isEmpty() && stored.get(VAPID_PRIVATE) == null) {
            throw new ConfigException(file(settings) + " has a VAPID public key without its private key; restore it from a backup");
        }
        VapidKeys vapid;
        try {
            vapid = settings.vapidPublicKey().isEmpty()
                    ? VapidKeys.fromBase64Url(stored.get(VAPID_PUBLIC), stored.get(VAPID_PRIVATE))
                    : VapidKeys.fromBase64Url(settings.vapidPublicKey(), settings.vapidPrivateKey());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("VAPID keys: " + e.getMessage());
        }
        return new ServerKeys(vapid,
                secret(settings.userTokenSecret(), Option.USER_TOKEN_SECRET, stored, USER_TOKEN, settings),
                secret(settings.endpointTokenKey(), Option.ENDPOINT_TOKEN_KEY, stored, ENDPOINT, settings),
                secret(settings.receiptKey(), Option.RECEIPT_KEY, stored, RECEIPT, settings));
    }

    private static byte[] secret(String configured, Option option, Map<String, String> stored, String name, Settings settings) {
        return configured.isEmpty()
                ? Secrets.parse(stored.get(name), name + " in " + file(settings))
                : Secrets.parse(configured, option.key());
    }

    /**
     * Reads keys.json, filling in what is neither configured nor stored (and upgrading a file of an older version),
     * and writes it back when anything changed.
     */
    private static Map<String, String> readOrCreate(Settings settings) {
        boolean allConfigured = !settings.vapidPublicKey().isEmpty() && !settings.userTokenSecret().isEmpty()
                && !settings.endpointTokenKey().isEmpty() && !settings.receiptKey().isEmpty();
        if (allConfigured) {
            return Map.of();
        }
        Path file = file(settings);
        for (int attempt = 0; ; attempt++) {
            boolean existed = Files.exists(file);
            Map<String, String> stored = existed ? read(file) : new LinkedHashMap<>();
            boolean changed = fillIn(stored, settings, file, existed);
            if (!changed) {
                return stored;
            }
            try {
                PrivateFiles.directory(settings.dataDir());
                ObjectNode out = JSON.createObjectNode().put("format", FORMAT);
                stored.forEach(out::put);
                PrivateFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(out), existed);
                log.info("{} {} (mode 600)", existed ? "updated" : "generated", file);
                return stored;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 2) {
                    throw new ConfigException("cannot create " + file + ": another process keeps creating it");
                }
                // another process created it first: use theirs
            } catch (IOException e) {
                throw new ConfigException("cannot write " + file + ": " + e.getMessage());
            }
        }
    }

    /**
     * Adds the missing secrets; true if it added any. An endpoint-token or receipt key that is missing while a
     * user-token secret already exists starts as a copy of that secret, because older versions derived both from
     * it: existing push endpoints and receipts keep working, and from then on each key rotates on its own.
     */
    private static boolean fillIn(Map<String, String> stored, Settings settings, Path file, boolean existed) {
        boolean changed = false;
        if (stored.remove("format") == null && stored.containsKey(USER_TOKEN)) {
            // written by an older version: its secret was base64url, decoded before use
            try {
                stored.put(USER_TOKEN, Secrets.ofBytes(dev.herald.webpush.Base64Url.decode(stored.get(USER_TOKEN), USER_TOKEN)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(file + ": " + e.getMessage() + "; restore it from a backup");
            }
            changed = true;
        }
        if (existed && (settings.vapidPublicKey().isEmpty() && !stored.containsKey(VAPID_PUBLIC)
                || settings.userTokenSecret().isEmpty() && !stored.containsKey(USER_TOKEN))) {
            log.warn("{} holds no VAPID keys or user-token secret and none is configured: generating new ones "
                    + "(browser subscriptions and user tokens made with earlier ones stop working)", file);
        }
        if (settings.vapidPublicKey().isEmpty() && !stored.containsKey(VAPID_PUBLIC)) {
            VapidKeys fresh = VapidKeys.generate();
            stored.put(VAPID_PUBLIC, fresh.publicKeyBase64Url());
            stored.put(VAPID_PRIVATE, fresh.privateKeyBase64Url());
            changed = true;
        }
        String existingSecret = !settings.userTokenSecret().isEmpty() ? settings.userTokenSecret() : stored.get(USER_TOKEN);
        if (settings.userTokenSecret().isEmpty() && !stored.containsKey(USER_TOKEN)) {
            stored.put(USER_TOKEN, Secrets.generate());
            changed = true;
        }
        for (Map.Entry<String, String> key : Map.of(ENDPOINT, settings.endpointTokenKey(), RECEIPT, settings.receiptKey()).entrySet()) {
            if (key.getValue().isEmpty() && !stored.containsKey(key.getKey())) {
                stored.put(key.getKey(), existingSecret != null ? existingSecret : Secrets.generate());
                changed = true;
                if (existingSecret != null) {
                    log.info("{} in {} starts as a copy of the user-token secret (which it was derived from before)", key.getKey(), file);
                }
            }
        }
        if (changed && settings.postgres()) {
            log.warn("keys were stored in this node's data dir; with several nodes, configure vapid-public-key, vapid-private-key, "
                    + "user-token-secret, endpoint-token-key and receipt-key so every node shares them (copy them from {})", file);
        }
        return changed;
    }

    private static Map<String, String> read(Path file) {
        try {
            PrivateFiles.restrict(file);
            JsonNode node = JSON.readTree(file.toFile());
            Map<String, String> stored = new LinkedHashMap<>();
            if (node == null || !node.isObject()) {
                throw new ConfigException(file + " is not a JSON object; restore it from a backup");
            }
            node.fields().forEachRemaining(e -> stored.put(e.getKey(), e.getValue().asText()));
            return stored;
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "ServerKeys[vapid=" + vapid + "]";
    }
}
