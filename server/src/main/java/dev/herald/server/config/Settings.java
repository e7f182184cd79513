package dev.herald.server.config;

import dev.herald.server.common.Cidr;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Herald's settings, validated. Built by {@link SettingsLoader}; see {@link Option} for each one's meaning.
 * {@code publicUrl} is null when not configured: the server then uses {@code http://localhost:<bound port>}.
 */
public record Settings(
        int port,
        String host,
        Path dataDir,
        String databaseUrl,
        String databaseUser,
        String databasePassword,
        int databasePoolSize,
        URI publicUrl,
        boolean demo,
        boolean pushService,
        String vapidSubject,
        String vapidPublicKey,
        String vapidPrivateKey,
        String userTokenSecret,
        String endpointTokenKey,
        String receiptKey,
        Duration userTokenTtl,
        Duration userTokenMaxLifetime,
        boolean anonymousSubscriptions,
        List<String> corsOrigins,
        List<Cidr> trustedProxies,
        List<String> pushHosts,
        boolean allowPrivateEndpoints,
        int maxBodyBytes,
        int maxSubscriptionsPerUser,
        int maxSubscriptionsPerIp,
        dev.herald.server.ratelimit.RateLimitConfig rateLimits,
        int deliveryConcurrency,
        int deliveryBatch,
        Duration deliveryLease,
        Duration retryMin,
        Duration retryMax,
        int maxAttempts,
        int goneAfterBadRequests,
        int subscriptionExpireAfterDays,
        int fanoutPage,
        List<SyncCollection> syncCollections,
        int maxDocumentBytes,
        int maxMutations,
        long pushMaxBytesPerAgent,
        long pushMaxStoredBytes,
        int syncMaxDocuments,
        long syncMaxBytes,
        Duration tombstoneHorizon,
        Duration idempotencyRetention,
        Duration notificationRetention,
        Duration eventRetention,
        Duration dailyStatsRetention,
        List<Category> categories,
        List<String> topics,
        int maxTopicsPerSubscription,
        int maxPerDay,
        boolean quietHoursBypass,
        String nodeId,
        URI internalUrl,
        String internalSecret) {

    /** A configured sync collection. */
    public record SyncCollection(String name, boolean shared, boolean notifies) {}

    /**
     * A notification category users can turn on or off. A critical one cannot be turned off and is exempt from
     * frequency caps; {@code maxPerDay} (0: none) caps this category alone per user per rolling day.
     */
    public record Category(String id, String label, String description, boolean defaultOn, boolean critical, int maxPerDay) {
        public Category {
            if (critical && !defaultOn) {
                throw new IllegalArgumentException("a critical category is always on");
            }
        }
    }

    public Settings {
        pushHosts = List.copyOf(pushHosts);
        corsOrigins = List.copyOf(corsOrigins);
        trustedProxies = List.copyOf(trustedProxies);
        syncCollections = List.copyOf(syncCollections);
        categories = List.copyOf(categories);
        topics = List.copyOf(topics);
    }

    /** The category with this id, if configured. */
    public java.util.Optional<Category> category(String id) {
        return categories.stream().filter(c -> c.id().equals(id)).findFirst();
    }

    /** Keeps secrets (keys, token secret, database password) out of any log line that prints the settings. */
    @Override
    public String toString() {
        return "Settings[port=" + port + ", dataDir=" + dataDir + ", database=" + (databaseUrl.isEmpty() ? "sqlite" : "postgresql")
                + ", publicUrl=" + publicUrl + ", vapidSubject=" + vapidSubject + ", secrets=<redacted>]";
    }

    public boolean postgres() {
        return databaseUrl.startsWith("jdbc:postgresql:");
    }

    /** The JDBC URL in use: the configured one, or the SQLite file in the data dir. */
    public String jdbcUrl() {
        return databaseUrl.isEmpty() ? "jdbc:sqlite:" + dataDir.resolve("herald.db") : databaseUrl;
    }

    /** Defaults with overrides, for tests and embedding: {@code Settings.defaults().with(Option.PORT, "0")}. */
    public static SettingsLoader defaults() {
        return SettingsLoader.empty();
    }
}
