package dev.herald.server;

import dev.herald.server.admin.AdminConsole;
import dev.herald.server.auth.ApiKeyStore;
import dev.herald.server.auth.Authenticator;
import dev.herald.server.auth.TokenRoutes;
import dev.herald.server.auth.UserTokens;
import dev.herald.server.config.ServerKeys;
import dev.herald.server.config.Settings;
import dev.herald.server.delivery.DeliveryEngine;
import dev.herald.server.delivery.DeliveryHistory;
import dev.herald.server.delivery.RecordedOutcomes;
import dev.herald.server.delivery.RetryPolicy;
import dev.herald.server.digest.DigestRelease;
import dev.herald.server.digest.Digests;
import dev.herald.server.engagement.EventRoutes;
import dev.herald.server.engagement.DailyStats;
import dev.herald.server.engagement.EventStore;
import dev.herald.server.engagement.ReplayRoutes;
import dev.herald.server.engagement.Receipts;
import dev.herald.server.preference.DeliveryGate;
import dev.herald.server.preference.PreferenceRoutes;
import dev.herald.server.preference.PreferenceStore;
import dev.herald.server.subscription.TopicRules;
import dev.herald.server.subscription.UserLabelRoutes;
import dev.herald.server.template.TemplateRoutes;
import dev.herald.server.template.TemplateStore;
import dev.herald.server.template.UserAttributes;
import dev.herald.pushservice.EndpointTokens;
import dev.herald.pushservice.PushService;
import dev.herald.server.push.JdbiPushStore;
import dev.herald.server.push.NodeRouting;
import dev.herald.server.push.PushRoutes;
import dev.herald.server.ratelimit.RateLimits;
import dev.herald.server.web.DemoRoutes;
import dev.herald.server.web.SdkRoutes;
import dev.herald.server.http.ApiServer;
import dev.herald.server.http.ClientAddress;
import dev.herald.server.http.Cors;
import dev.herald.server.http.Router;
import dev.herald.server.notification.NotificationContent;
import dev.herald.server.notification.NotificationRoutes;
import dev.herald.server.notification.NotificationService;
import dev.herald.server.notification.NotificationStore;
import dev.herald.server.idempotency.Idempotency;
import dev.herald.server.ops.Maintenance;
import dev.herald.server.retention.Retention;
import dev.herald.server.storage.Dialect;
import dev.herald.server.sync.SyncRoutes;
import java.util.Map;
import dev.herald.server.ops.OpenApiRoutes;
import dev.herald.server.ops.OpsRoutes;
import dev.herald.server.storage.Database;
import dev.herald.server.subscription.ConfigRoutes;
import dev.herald.server.subscription.PushHostPolicy;
import dev.herald.server.subscription.SubscriptionRoutes;
import dev.herald.server.subscription.Hygiene;
import dev.herald.server.subscription.SubscriptionStore;
import dev.herald.server.webhook.Webhooks;
import dev.herald.webpush.CryptoProviders;
import dev.herald.webpush.WebPushSender;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import dev.herald.server.storage.DatabaseClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that builds Herald's object graph from {@link Settings} and starts it. Everything else receives
 * what it needs through its constructor.
 */
public final class HeraldApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeraldApp.class);
    /** Requests in flight to one push service; the node-wide bound is delivery-concurrency. */
    private static final int MAX_PER_PUSH_SERVICE = 512;
    /** Rows per pruning statement: large enough to keep up, small enough that no write waits long behind one. */
    private static final int RETENTION_BATCH = 2000;

    private final Database database;
    private final WebPushSender sender;
    private final DeliveryEngine engine;
    private final ApiServer api;
    private final ApiKeyStore apiKeys;
    private final UserTokens userTokens;
    private final ServerKeys keys;
    private final URI publicUrl;
    private final Maintenance maintenance;
    private final PushService pushService;
    private final NodeRouting routing;
    private final String nodeId;
    private final PrometheusMeterRegistry metrics;
    private final DigestRelease digestRelease;
    private final DatabaseClock databaseClock;
    private final Clock clockInUse;
    private final Webhooks webhooks;

    /** What a process serves: everything, or only the embedded push service ({@code herald push-service}). */
    public enum Role { FULL, PUSH_SERVICE }

    private HeraldApp(Settings settings, Clock hostClock, PushHostPolicy.Resolver resolver, Role role, boolean databaseTime) {
        CryptoProviders.install(); // logs which provider is active
        this.keys = ServerKeys.load(settings);
        this.database = Database.open(settings);
        try {
            // Nodes sharing PostgreSQL read time from it, so a host whose clock is off neither steals leases nor fires
            // schedules early or late. Tests that drive a fake clock get it as is.
            this.databaseClock = databaseTime && settings.postgres() ? DatabaseClock.start(hostClock, database.jdbi()) : null;
            Clock clock = databaseClock != null ? databaseClock : hostClock;
            this.clockInUse = clock;
            PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            this.metrics = metrics;
            this.nodeId = settings.nodeId().isEmpty() ? NodeRouting.defaultNodeId() : settings.nodeId();
            metrics.gauge("herald.node.info", List.of(io.micrometer.core.instrument.Tag.of("node", nodeId)), 1);
            Timer sendLatency = Timer.builder("herald.send.latency").publishPercentileHistogram().register(metrics);
            this.sender = WebPushSender.builder()
                    .vapid(keys.vapid(), settings.vapidSubject())
                    .clock(clock)
                    .maxConcurrentPerOrigin(Math.min(MAX_PER_PUSH_SERVICE, settings.deliveryConcurrency()))
                    .listener((origin, result, latency) -> sendLatency.record(latency))
                    .build();
            PreferenceStore preferences = new PreferenceStore(database.jdbi(), clock);
            Receipts receipts = new Receipts(keys.receipts());
            AtomicReference<URI> effectiveUrl = new AtomicReference<>(settings.publicUrl());
            PushHostPolicy policy = new PushHostPolicy(settings.pushHosts(), effectiveUrl::get,
                    settings.allowPrivateEndpoints(), resolver);
            Digests digests = new Digests(database.jdbi(), clock);
            this.engine = new DeliveryEngine(database, sender, new DeliveryGate(preferences, settings), receipts,
                    policy::sendTimeRefusal, new NotificationContent(database.jdbi(), effectiveUrl::get), new DeliveryEngine.Config(settings.deliveryConcurrency(),
                    settings.deliveryBatch(), settings.deliveryLease(), settings.fanoutPage(),
                    new RetryPolicy(settings.retryMin(), settings.retryMax(), settings.maxAttempts()),
                    settings.goneAfterBadRequests()), clock, metrics, digests);
            this.apiKeys = new ApiKeyStore(database.jdbi(), clock);
            this.userTokens = new UserTokens(keys.userTokenSecret(), clock, settings.userTokenMaxLifetime());
            Authenticator auth = new Authenticator(apiKeys, userTokens);
            this.webhooks = new Webhooks(database, new Webhooks.UrlPolicy() {
                @Override
                public URI check(String url) {
                    return policy.checkWebhook(url);
                }

                @Override
                public java.util.Optional<String> sendTimeRefusal(String url) {
                    return policy.webhookSendTimeRefusal(url);
                }
            }, auth, clock, settings.maxBodyBytes());
            Hygiene hygiene = new Hygiene(database.jdbi(), clock, webhooks.events(),
                    Duration.ofDays(settings.subscriptionExpireAfterDays()));
            RecordedOutcomes outcomeEvents = webhooks.deliveryOutcomes();
            engine.onRecorded((h, outcomes, now) -> {
                hygiene.delivered(h, outcomes.stream()
                        .filter(o -> o.state() == dev.herald.server.delivery.DeliveryState.SENT && o.subscriptionId() != null)
                        .map(RecordedOutcomes.Recorded::subscriptionId).collect(java.util.stream.Collectors.toSet()), now);
                outcomeEvents.recorded(h, outcomes, now);
            });
            ClientAddress clientAddress = new ClientAddress(settings.trustedProxies());
            RateLimits rateLimits = new RateLimits(settings.rateLimits(), clock);
            Idempotency idempotency = new Idempotency(database.jdbi(), auth, clock, settings.idempotencyRetention(),
                    settings.maxBodyBytes());
            idempotency.secretResponses(TokenRoutes.PATH);
            idempotency.secretResponses(Webhooks.secretPath());
            NotificationStore notificationStore = new NotificationStore(database.jdbi(), clock);
            TemplateStore templates = new TemplateStore(database.jdbi(), clock);
            NotificationService notifications = new NotificationService(notificationStore, effectiveUrl::get, engine::wake, clock,
                    templates);
            this.digestRelease = new DigestRelease(database.jdbi(), database.dialect(), notifications, clock);
            TopicRules topicRules = new TopicRules(settings);
            DailyStats dailyStats = new DailyStats(database.jdbi());
            EventStore events = new EventStore(database.jdbi(), clock, dailyStats, (h, notificationId, subscriptionId, type, action,
                    at) -> {
                if (type.equals("shown") || type.equals("clicked") || type.equals("action")) {
                    hygiene.engaged(h, subscriptionId, clock.millis());
                }
                webhooks.engaged(h, notificationId, subscriptionId, type, action, at);
            });
            SyncRoutes sync = new SyncRoutes(database.jdbi(), auth, idempotency, notifications, settings, clock, rateLimits,
                    webhooks.events());
            SubscriptionStore subscriptions = new SubscriptionStore(database.jdbi(), clock, webhooks.events());
            NotificationRoutes notificationRoutes = new NotificationRoutes(notificationStore, notifications, idempotency, auth,
                    settings, topicRules, events, clock, digests);
            AdminConsole admin = new AdminConsole(new AdminConsole.Parts(database.jdbi(), auth, apiKeys, subscriptions,
                    notificationRoutes, notificationStore, keys.vapid().publicKeyBase64Url(), userTokens), settings, effectiveUrl::get, clock);
            List<Router.Feature> features = new java.util.ArrayList<>(List.of(
                    new OpsRoutes(database, () -> keys.vapid() != null, metrics, this::nodeStatus),
                    new OpenApiRoutes(),
                    new ConfigRoutes(keys.vapid().publicKeyBase64Url(), settings),
                    new TokenRoutes(userTokens, auth, settings, rateLimits),
                    new SubscriptionRoutes(subscriptions, policy, auth, settings, topicRules, rateLimits),
                    new PreferenceRoutes(preferences, auth, settings, topicRules),
                    new UserLabelRoutes(database.jdbi(), auth, settings, topicRules),
                    notificationRoutes,
                    new TemplateRoutes(templates, auth, settings.maxBodyBytes(), NotificationService.PAYLOAD_FIELDS),
                    new UserAttributes(database.jdbi(), auth, clock, settings.maxBodyBytes()),
                    new EventRoutes(events, receipts, auth, clock, rateLimits),
                    new ReplayRoutes(events.replays(), subscriptions, auth, clock, rateLimits),
                    new SdkRoutes(),
                    webhooks.routes(),
                    sync,
                    admin));
            if (settings.demo()) {
                features.add(new DemoRoutes(userTokens, settings, rateLimits));
            }
            PushService pushService = null;
            NodeRouting routing = null;
            if (role == Role.PUSH_SERVICE) {
                features.clear(); // health, metrics and the push service only; no API, no delivery engine
                features.add(new OpsRoutes(database, () -> true, metrics, this::nodeStatus));
            }
            if (settings.pushService() || role == Role.PUSH_SERVICE) {
                if (settings.postgres()) { // other nodes may accept messages for our browsers, and we for theirs
                    routing = new NodeRouting(database, clock, new NodeRouting.Config(nodeId, settings.internalSecret().isEmpty()
                            ? keys.endpointTokenKey() : dev.herald.server.config.Secrets.parse(settings.internalSecret(),
                            dev.herald.server.config.Option.INTERNAL_SECRET.key())), metrics);
                }
                pushService = new PushService(new JdbiPushStore(database),
                        new EndpointTokens(keys.endpointTokens()),
                        effectiveUrl::get, clock, PushService.Limits.DEFAULT.withStoredBytes(settings.pushMaxBytesPerAgent(),
                        settings.pushMaxStoredBytes()), rateLimits, routing == null ? dev.herald.pushservice.Peers.NONE : routing);
                features.add(new PushRoutes(pushService, clientAddress));
                if (routing != null) {
                    features.add(routing.internalRoutes());
                }
                PushService connections = pushService;
                metrics.gauge("herald.push.connections", connections, PushService::connections);
            }
            this.pushService = pushService;
            this.routing = routing;
            this.api = new ApiServer(settings.host(), settings.port(), settings.maxBodyBytes(), clientAddress, features,
                    List.of(new Cors(settings.corsOrigins())::install, idempotency::install)).start();
            Map<String, java.util.function.IntSupplier> tasks = new java.util.HashMap<>(Map.of("idempotency keys", idempotency::prune,
                    "tombstones", sync::purgeTombstones, "send ledger", preferences::pruneLedger,
                    "admin sessions", admin::pruneSessions,
                    "released digests", () -> digests.prune(settings.notificationRetention().toMillis(), RETENTION_BATCH),
                    "webhook messages given up", webhooks::prune, "expired subscriptions", hygiene::expire));
            if (pushService != null) {
                tasks.put("expired push messages", pushService::purgeExpired);
            }
            tasks.put("retention", new Retention(database.jdbi(), database.writeLock(), new DeliveryHistory(database.jdbi()), events,
                    dailyStats, clock, new Retention.Config(settings.notificationRetention(), settings.eventRetention(),
                    settings.dailyStatsRetention(), RETENTION_BATCH, database.dialect() == Dialect.SQLITE))::run);
            this.maintenance = new Maintenance(tasks, Duration.ofMinutes(1));
            if (effectiveUrl.get() == null) {
                effectiveUrl.set(URI.create("http://localhost:" + api.port()));
            }
            this.publicUrl = effectiveUrl.get();
            if (routing != null) {
                routing.start(pushService, settings.internalUrl() != null ? settings.internalUrl()
                        : NodeRouting.defaultInternalUrl(settings.host(), api.port()));
            }
            if (settings.vapidSubject().equals(dev.herald.server.config.Option.VAPID_SUBJECT.defaultValue())) {
                log.warn("vapid-subject is the placeholder {}; set it to a contact push services can reach",
                        settings.vapidSubject());
            }
            if (settings.demo()) {
                log.warn("--demo: serving Herald Chat at {}/ with name-only sign-in; not for production", effectiveUrl.get());
            }
            if (settings.allowPrivateEndpoints()) {
                log.warn("allow-private-endpoints is on: http and private push endpoints are accepted (development only)");
            }
            if (role == Role.FULL) {
                engine.start();
                digestRelease.start();
                webhooks.start();
            }
            log.info("Herald listening on port {} (public URL {})", api.port(), publicUrl);
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    public static HeraldApp start(Settings settings) {
        return start(settings, Role.FULL);
    }

    public static HeraldApp start(Settings settings, Role role) {
        return new HeraldApp(settings, Clock.systemUTC(), InetAddress::getAllByName, role, true);
    }

    /** For tests: an injected clock and a resolver that needs no DNS. */
    public static HeraldApp start(Settings settings, Clock clock, PushHostPolicy.Resolver resolver) {
        return new HeraldApp(settings, clock, resolver, Role.FULL, false);
    }

    /** For tests: a node whose host clock is {@code hostClock} (off by minutes, say), reading time as production does. */
    public static HeraldApp startOnHostClock(Settings settings, Clock hostClock, PushHostPolicy.Resolver resolver) {
        return new HeraldApp(settings, hostClock, resolver, Role.FULL, true);
    }

    /** The time this node works by: the database's on PostgreSQL (see {@link DatabaseClock}), else its own. */
    public Clock clock() {
        return clockInUse;
    }

    public int port() {
        return api.port();
    }

    public URI publicUrl() {
        return publicUrl;
    }

    public ApiKeyStore apiKeys() {
        return apiKeys;
    }

    public UserTokens userTokens() {
        return userTokens;
    }

    public Database database() {
        return database;
    }

    public String vapidPublicKey() {
        return keys.vapid().publicKeyBase64Url();
    }

    public List<Router.Route> routes() {
        return api.routes();
    }

    /** Runs the periodic housekeeping now, every task the background thread runs (tests move a fake clock, then call this). */
    public void runMaintenance() {
        maintenance.runNow();
    }

    /** This node's name. */
    public String nodeId() {
        return nodeId;
    }

    /** Runs the push service's catch-up scan now (tests); 0 without several nodes. */
    public int pushCatchUp() {
        return routing == null ? 0 : routing.catchUp();
    }

    /** What {@code /readyz} shows about this node. */
    private Map<String, Object> nodeStatus() {
        Map<String, Object> node = new java.util.LinkedHashMap<>();
        node.put("id", nodeId);
        node.put("connections", pushService == null ? 0 : pushService.connections());
        io.micrometer.core.instrument.Gauge inFlight = metrics.find("herald.delivery.in.flight").gauge();
        node.put("deliveriesInFlight", inFlight == null ? 0 : (long) inFlight.value());
        if (routing != null) {
            node.put("routing", routing.counters());
            node.put("peers", routing.peers());
        }
        return node;
    }

    /** Releases the digest windows that have ended, now (tests that move a fake clock); returns how many. */
    public int releaseDigests() {
        return digestRelease.releaseDue();
    }

    /** Wakes the delivery engine (tests that move a fake clock use this instead of waiting for a poll). */
    public void wakeDelivery() {
        digestRelease.wake();
        engine.wake();
        webhooks.wake();
    }

    /** Graceful: stop taking requests, let in-flight deliveries finish and be recorded, then close. */
    @Override
    public void close() {
        maintenance.close();
        if (routing != null) {
            routing.close(); // other nodes stop notifying this one
        }
        if (pushService != null) {
            pushService.close();
        }
        api.close();
        digestRelease.stop(Duration.ofSeconds(5));
        engine.stop(Duration.ofSeconds(10));
        webhooks.close();
        sender.close();
        if (databaseClock != null) {
            databaseClock.close();
        }
        database.close();
        log.info("Herald stopped");
    }
}
