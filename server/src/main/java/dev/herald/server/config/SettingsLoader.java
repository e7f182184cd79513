package dev.herald.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.herald.server.ratelimit.Action;
import dev.herald.server.ratelimit.Limit;
import dev.herald.server.ratelimit.RateLimitConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Collects raw values from the sources in order (file, environment, flags; later wins), remembering where
 * each came from so an error can say "HERALD_PORT=abc is not a number" rather than just "bad port".
 */
public final class SettingsLoader {
    private final Map<Option, String> values = new EnumMap<>(Option.class);
    private final Map<Option, String> origins = new EnumMap<>(Option.class);

    private SettingsLoader() {}

    public static SettingsLoader empty() {
        return new SettingsLoader();
    }

    /** The usual order: the config file (explicit, or herald.toml/.yaml if present), environment, flags. */
    public static Settings load(Map<String, String> env, Map<Option, String> flags, Path workingDir) {
        SettingsLoader loader = new SettingsLoader();
        String file = flags.getOrDefault(Option.CONFIG, env.getOrDefault(Option.CONFIG.env(), ""));
        if (!file.isBlank()) {
            loader.file(Path.of(file));
        } else {
            for (String name : List.of("herald.toml", "herald.yaml", "herald.yml")) {
                if (Files.isRegularFile(workingDir.resolve(name))) {
                    loader.file(workingDir.resolve(name));
                    break;
                }
            }
        }
        loader.env(env);
        flags.forEach((o, v) -> loader.with(o, v, o.flag()));
        return loader.build();
    }

    public SettingsLoader with(Option option, String value) {
        return with(option, value, option.key());
    }

    private SettingsLoader with(Option option, String value, String origin) {
        values.put(option, value);
        origins.put(option, origin);
        return this;
    }

    public SettingsLoader env(Map<String, String> env) {
        for (Option o : Option.values()) {
            String v = env.get(o.env());
            if (v != null) {
                with(o, v, o.env());
            }
        }
        return this;
    }

    public SettingsLoader file(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new ConfigException("config file " + path + " does not exist");
        }
        String name = path.getFileName().toString();
        ObjectMapper mapper = name.endsWith(".toml") ? new TomlMapper()
                : name.endsWith(".yaml") || name.endsWith(".yml") ? new YAMLMapper() : null;
        if (mapper == null) {
            throw new ConfigException("config file " + path + " must end in .toml, .yaml or .yml");
        }
        JsonNode root;
        try {
            root = mapper.readTree(path.toFile());
        } catch (IOException e) {
            throw new ConfigException("config file " + path + " cannot be read: " + firstLine(e.getMessage()));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return this;
        }
        if (!root.isObject()) {
            throw new ConfigException("config file " + path + " must hold key = value settings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Option o = Option.byKey(e.getKey());
            if (o == null || o == Option.CONFIG) {
                throw new ConfigException("config file " + path + ": unknown setting '" + e.getKey() + "' (known: "
                        + String.join(", ", Arrays.stream(Option.values()).filter(x -> x != Option.CONFIG).map(Option::key).toList()) + ")");
            }
            JsonNode v = e.getValue();
            String text;
            if (v.isArray() && v.size() > 0 && v.get(0).isObject()) {
                text = v.toString(); // an array of tables (categories) travels as JSON
            } else if (v.isArray()) {
                List<String> items = new ArrayList<>();
                v.forEach(item -> items.add(item.asText()));
                text = String.join(",", items);
            } else if (v.isValueNode()) {
                text = v.asText();
            } else {
                throw new ConfigException("config file " + path + ": '" + e.getKey() + "' must be a plain value");
            }
            with(o, text, path.getFileName() + ": " + o.key());
        }
        return this;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    private String raw(Option o) {
        return values.getOrDefault(o, o.defaultValue()).strip();
    }

    private String where(Option o) {
        return origins.getOrDefault(o, "default of " + o.key());
    }

    private int integer(Option o, int min, int max) {
        String v = raw(o);
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new ConfigException(where(o) + " = " + v + " is out of range (" + min + " to " + max + ")");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(where(o) + " = '" + v + "' is not a whole number");
        }
    }

    private Duration seconds(Option o, int min, int max) {
        return Duration.ofSeconds(integer(o, min, max));
    }

    private boolean bool(Option o) {
        return switch (raw(o).toLowerCase()) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off", "" -> false;
            default -> throw new ConfigException(where(o) + " = '" + raw(o) + "' is not true or false");
        };
    }

    public Settings build() {
        int port = integer(Option.PORT, 0, 65535);
        String dbUrl = raw(Option.DATABASE_URL);
        if (!dbUrl.isEmpty() && !dbUrl.startsWith("jdbc:postgresql:") && !dbUrl.startsWith("jdbc:sqlite:")) {
            throw new ConfigException(where(Option.DATABASE_URL) + " must start with jdbc:postgresql: or jdbc:sqlite:");
        }
        URI publicUrl = publicUrl(port);
        String vapidPublic = raw(Option.VAPID_PUBLIC_KEY);
        String vapidPrivate = raw(Option.VAPID_PRIVATE_KEY);
        if (vapidPublic.isEmpty() != vapidPrivate.isEmpty()) {
            throw new ConfigException("set both vapid-public-key and vapid-private-key, or neither (to generate them)");
        }
        try {
            dev.herald.webpush.VapidSigner.checkSubject(raw(Option.VAPID_SUBJECT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where(Option.VAPID_SUBJECT) + ": " + e.getMessage());
        }
        String secret = secret(Option.USER_TOKEN_SECRET);
        Duration tokenTtl = seconds(Option.USER_TOKEN_TTL, 60, 30 * 86_400);
        Duration tokenMaxLifetime = seconds(Option.USER_TOKEN_MAX_LIFETIME, 60, 30 * 86_400);
        if (tokenTtl.compareTo(tokenMaxLifetime) > 0) {
            throw new ConfigException("user-token-ttl (" + tokenTtl.toSeconds() + ") must be <= user-token-max-lifetime ("
                    + tokenMaxLifetime.toSeconds() + "), or Herald would mint tokens it then refuses");
        }
        Duration retryMin = seconds(Option.RETRY_MIN, 1, 86_400);
        Duration retryMax = seconds(Option.RETRY_MAX, 1, 86_400);
        if (retryMax.compareTo(retryMin) < 0) {
            throw new ConfigException("retry-max (" + retryMax.toSeconds() + ") must be >= retry-min (" + retryMin.toSeconds() + ")");
        }
        List<String> hosts = Arrays.stream(raw(Option.PUSH_HOSTS).split(","))
                .map(String::strip).map(String::toLowerCase).filter(h -> !h.isEmpty()).toList();
        for (String h : hosts) {
            if (!h.matches("\\.?[a-z0-9.-]+|\\[[0-9a-f:]+]")) {
                throw new ConfigException(where(Option.PUSH_HOSTS) + ": '" + h + "' is not a host name");
            }
        }
        return new Settings(port, raw(Option.HOST), Path.of(raw(Option.DATA_DIR)), dbUrl, raw(Option.DATABASE_USER),
                raw(Option.DATABASE_PASSWORD), integer(Option.DATABASE_POOL_SIZE, 1, 200), publicUrl, bool(Option.DEMO),
                bool(Option.PUSH_SERVICE),
                raw(Option.VAPID_SUBJECT), vapidPublic, vapidPrivate, secret, secret(Option.ENDPOINT_TOKEN_KEY), secret(Option.RECEIPT_KEY),
                tokenTtl, tokenMaxLifetime, bool(Option.ANONYMOUS_SUBSCRIPTIONS), corsOrigins(), trustedProxies(), hosts,
                bool(Option.ALLOW_PRIVATE_ENDPOINTS), integer(Option.MAX_BODY_BYTES, 1024, 16 * 1024 * 1024),
                integer(Option.MAX_SUBSCRIPTIONS_PER_USER, 1, 10_000), integer(Option.MAX_SUBSCRIPTIONS_PER_IP, 1, 10_000_000), rateLimits(),
                integer(Option.DELIVERY_CONCURRENCY, 1, 100_000), integer(Option.DELIVERY_BATCH, 1, 10_000),
                seconds(Option.DELIVERY_LEASE, 1, 3600), retryMin, retryMax, integer(Option.MAX_ATTEMPTS, 1, 1000),
                integer(Option.GONE_AFTER_BAD_REQUESTS, 0, 1000), integer(Option.SUBSCRIPTION_EXPIRE_AFTER_DAYS, 0, 3650),
                integer(Option.FANOUT_PAGE, 1, 100_000), collections(), integer(Option.MAX_DOCUMENT_BYTES, 64, 1024 * 1024),
                integer(Option.MAX_MUTATIONS, 1, 1000), integer(Option.PUSH_MAX_BYTES_PER_AGENT, 8192, Integer.MAX_VALUE),
                integer(Option.PUSH_MAX_STORED_BYTES, 65536, Integer.MAX_VALUE), integer(Option.SYNC_MAX_DOCUMENTS, 1, 100_000_000),
                integer(Option.SYNC_MAX_BYTES, 1024, Integer.MAX_VALUE), seconds(Option.TOMBSTONE_HORIZON, 60, 10 * 365 * 86_400),
                seconds(Option.IDEMPOTENCY_RETENTION, 86_400, 365 * 86_400),
                seconds(Option.NOTIFICATION_RETENTION, 60, 10 * 365 * 86_400), seconds(Option.EVENT_RETENTION, 60, 10 * 365 * 86_400),
                seconds(Option.DAILY_STATS_RETENTION, 86_400, 10 * 365 * 86_400),
                Categories.parse(raw(Option.CATEGORIES), where(Option.CATEGORIES), bool(Option.DEMO)), topics(),
                integer(Option.MAX_TOPICS_PER_SUBSCRIPTION, 1, 1000), integer(Option.MAX_PER_DAY, 0, 10_000),
                bool(Option.QUIET_HOURS_BYPASS), nodeId(), internalUrl(), secret(Option.INTERNAL_SECRET));
    }

    private String nodeId() {
        String v = raw(Option.NODE_ID);
        if (!v.isEmpty() && !v.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new ConfigException(where(Option.NODE_ID) + ": '" + v + "' is not 1-64 of A-Z a-z 0-9 . _ -");
        }
        return v;
    }

    private URI internalUrl() {
        String v = raw(Option.INTERNAL_URL);
        if (v.isEmpty()) {
            return null; // derived from the host and the bound port at start
        }
        try {
            URI uri = new URI(v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || !(uri.getRawPath() == null || uri.getRawPath().isEmpty()) || uri.getRawQuery() != null) {
                throw new URISyntaxException(v, "needs http(s)://host:port");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(where(Option.INTERNAL_URL) + " = '" + v + "' is not an http(s) origin like http://10.0.0.5:8080");
        }
    }

    /** A secret in {@link Secrets}' encoding, checked here so a bad one stops start-up naming where it came from. */
    private String secret(Option o) {
        String v = raw(o);
        if (!v.isEmpty()) {
            Secrets.parse(v, where(o));
        }
        return v;
    }

    private List<String> corsOrigins() {
        List<String> origins = Arrays.stream(raw(Option.CORS_ORIGINS).split(",")).map(String::strip).filter(o -> !o.isEmpty()).toList();
        for (String o : origins) {
            if (!o.equals("*") && !o.matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
                throw new ConfigException(where(Option.CORS_ORIGINS) + ": '" + o + "' is not an origin like https://app.example.com "
                        + "(scheme, host and port only, no path) or *");
            }
        }
        return origins;
    }

    private List<dev.herald.server.common.Cidr> trustedProxies() {
        List<dev.herald.server.common.Cidr> out = new ArrayList<>();
        for (String item : raw(Option.TRUSTED_PROXIES).split(",")) {
            if (item.isBlank()) {
                continue;
            }
            try {
                out.add(dev.herald.server.common.Cidr.parse(item));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where(Option.TRUSTED_PROXIES) + ": " + e.getMessage());
            }
        }
        return out;
    }

    private RateLimitConfig rateLimits() {
        Map<Action, Limit> limits = new EnumMap<>(Action.class);
        for (Action a : Action.values()) {
            Option o = Option.byKey("rate-limit-" + a.key());
            try {
                limits.put(a, Limit.parse(a, raw(o)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where(o) + ": " + e.getMessage());
            }
        }
        return new RateLimitConfig(limits, integer(Option.RATE_LIMIT_KEYS, 100, 10_000_000));
    }

    private List<String> topics() {
        List<String> topics = Arrays.stream(raw(Option.TOPICS).split(",")).map(String::strip).filter(t -> !t.isEmpty()).toList();
        for (String t : topics) {
            if (!Categories.TOPIC.matcher(t).matches()) {
                throw new ConfigException(where(Option.TOPICS) + ": '" + t + "' is not a topic name (1-64 of a-z 0-9 _ . -, "
                        + "a leading @ for a server-owned one)");
            }
        }
        return topics;
    }

    private List<Settings.SyncCollection> collections() {
        List<Settings.SyncCollection> out = new ArrayList<>();
        for (String item : raw(Option.SYNC_COLLECTIONS).split(",")) {
            if (item.isBlank()) {
                continue;
            }
            String[] parts = item.strip().split(":");
            boolean valid = parts.length >= 2 && parts.length <= 3 && parts[0].matches("[a-z][a-z0-9_-]{0,63}")
                    && (parts[1].equals("shared") || parts[1].equals("private")) && (parts.length == 2 || parts[2].equals("notify"));
            if (!valid) {
                throw new ConfigException(where(Option.SYNC_COLLECTIONS) + ": '" + item.strip()
                        + "' is not name:shared|private[:notify] (name: a-z 0-9 _ -)");
            }
            if (out.stream().anyMatch(c -> c.name().equals(parts[0]))) {
                throw new ConfigException(where(Option.SYNC_COLLECTIONS) + ": collection '" + parts[0] + "' is listed twice");
            }
            out.add(new Settings.SyncCollection(parts[0], parts[1].equals("shared"), parts.length == 3));
        }
        return out;
    }

    private URI publicUrl(int port) {
        String v = raw(Option.PUBLIC_URL);
        if (v.isEmpty()) {
            return null; // derived from the bound port at start
        }
        try {
            URI uri = new URI(v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new URISyntaxException(v, "needs http(s)://host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(where(Option.PUBLIC_URL) + " = '" + v + "' is not an http(s) URL");
        }
    }
}
