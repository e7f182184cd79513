package dev.herald.server.config;

import java.util.Locale;

/**
 * Every setting, declared once: the same name is the command-line flag ({@code --port}), the config-file key
 * ({@code port = 8080}) and, upper-cased with {@code HERALD_} in front, the environment variable
 * ({@code HERALD_PORT}). Later sources win: defaults, then the file, then the environment, then flags.
 */
public enum Option {
    CONFIG("config", "", "FILE", "Config file (TOML or YAML). Default: herald.toml or herald.yaml in the working directory, if present."),
    PORT("port", "8080", "PORT", "HTTP port (0 picks a free one)."),
    HOST("host", "0.0.0.0", "ADDR", "Address to listen on."),
    DATA_DIR("data-dir", "./data", "DIR", "Holds the SQLite file and the generated keys."),
    DATABASE_URL("database-url", "", "JDBC_URL", "jdbc:postgresql://… switches to PostgreSQL; default: SQLite in the data dir."),
    DATABASE_USER("database-user", "", "NAME", "PostgreSQL user, when not in the URL."),
    DATABASE_PASSWORD("database-password", "", "SECRET", "PostgreSQL password, when not in the URL."),
    DATABASE_POOL_SIZE("database-pool-size", "8", "N", "Database connections per node."),
    PUBLIC_URL("public-url", "", "URL", "The origin browsers see. Default: http://localhost:<port>."),
    DEMO("demo", "false", "BOOL",
            "Serve the demo PWA at / and its name-only sign-in POST /demo/api/sign-in (demo only: anyone can sign in as anyone)."),
    PUSH_SERVICE("push-service", "true", "BOOL",
            "Run the embedded push service at /wpush/ (Firefox: dom.push.serverURL = ws(s)://<public host>/wpush/connect)."),
    VAPID_SUBJECT("vapid-subject", "mailto:admin@example.com", "URI", "mailto: or https: contact the push services can reach."),
    VAPID_PUBLIC_KEY("vapid-public-key", "", "BASE64URL", "VAPID public key; generated and stored in the data dir when unset."),
    VAPID_PRIVATE_KEY("vapid-private-key", "", "BASE64URL", "VAPID private key; generated and stored in the data dir when unset."),
    USER_TOKEN_SECRET("user-token-secret", "", "SECRET", "HS256 secret for user tokens: text of >= 32 bytes, used as its UTF-8 "
            + "bytes (or base64url:… for raw bytes), as written in keys.json; generated there when unset."),
    ENDPOINT_TOKEN_KEY("endpoint-token-key", "", "SECRET", "Key of the embedded push service's endpoint URLs (encoded like "
            + "user-token-secret); generated into keys.json when unset. Changing it invalidates every endpoint it issued."),
    RECEIPT_KEY("receipt-key", "", "SECRET", "Key of the delivery receipts in push payloads (encoded like user-token-secret); "
            + "generated into keys.json when unset."),
    USER_TOKEN_TTL("user-token-ttl", "3600", "SECONDS", "Lifetime of user tokens minted by Herald."),
    USER_TOKEN_MAX_LIFETIME("user-token-max-lifetime", "86400", "SECONDS",
            "Longest user-token lifetime accepted (exp - iat, and exp - now); longer tokens are refused. >= user-token-ttl."),
    ANONYMOUS_SUBSCRIPTIONS("anonymous-subscriptions", "false", "BOOL", "Accept subscriptions without a user token."),
    CORS_ORIGINS("cors-origins", "", "ORIGINS",
            "Origins (https://app.example.com) whose pages may call the API from the browser, comma-separated; * for any."),
    TRUSTED_PROXIES("trusted-proxies", "", "CIDRS", "Reverse proxies (CIDRs like 10.0.0.0/8 or fd00::/8, comma-separated) whose "
            + "X-Forwarded-For / Forwarded headers are believed; empty: those headers are ignored."),
    PUSH_HOSTS("push-hosts", "", "HOSTS", "Extra push-service hosts to accept, comma-separated (a leading dot allows subdomains)."),
    ALLOW_PRIVATE_ENDPOINTS("allow-private-endpoints", "false", "BOOL",
            "Development only: accept http:// and loopback/private push endpoints."),
    MAX_BODY_BYTES("max-body-bytes", "65536", "BYTES", "Largest request body accepted."),
    MAX_SUBSCRIPTIONS_PER_USER("max-subscriptions-per-user", "20", "N", "Subscriptions one user may hold."),
    MAX_SUBSCRIPTIONS_PER_IP("max-subscriptions-per-ip", "500", "N", "Subscriptions created from one IP address."),
    RATE_LIMIT_SUBSCRIBE("rate-limit-subscribe", "address:600/1h,user:60/1h", "RATES",
            "Subscription creates per client address and per user (key:N/period, comma-separated; period in s, m, h or d; "
            + "off: none). Each key has a bucket of N refilled evenly over the period; over it: 429 rate-limited."),
    RATE_LIMIT_TOKEN_MINT("rate-limit-token-mint", "key:6000/1m,user:600/1h", "RATES",
            "User tokens minted (POST /api/v1/users/{id}/tokens) per API key and per user."),
    RATE_LIMIT_EVENTS("rate-limit-events", "address:12000/1h,user:3000/1h", "RATES",
            "Engagement events per client address and per user (or subscription, for receipts)."),
    RATE_LIMIT_SYNC("rate-limit-sync", "address:20000/1h,user:5000/1h,key:100000/1h", "RATES",
            "Sync mutations (each mutation in a batch counts) per client address, per user and per API key."),
    RATE_LIMIT_SIGN_IN("rate-limit-sign-in", "address:30/1m", "RATES", "Demo sign-ins (--demo) per client address."),
    RATE_LIMIT_PUSH_HELLO("rate-limit-push-hello", "address:100/1h", "RATES",
            "Embedded push service: new user agents (hello without a uaid) per client address."),
    RATE_LIMIT_PUSH_REGISTER("rate-limit-push-register", "agent:300/1h,address:1000/1h", "RATES",
            "Embedded push service: channel registrations per user agent and per client address."),
    RATE_LIMIT_PUSH_MESSAGES("rate-limit-push-messages", "endpoint:120/1m", "RATES",
            "Embedded push service: messages accepted per push endpoint (POST /wpush/v1|v2/{token})."),
    RATE_LIMIT_KEYS("rate-limit-keys", "50000", "N",
            "Keys (addresses, users, …) remembered per rate limit; past it the least recently used is forgotten."),
    DELIVERY_CONCURRENCY("delivery-concurrency", "256", "N", "Push requests in flight per node."),
    DELIVERY_BATCH("delivery-batch", "500", "N", "Deliveries claimed per database round trip."),
    DELIVERY_LEASE("delivery-lease", "60", "SECONDS", "How long a claimed delivery is held before another node may retry it."),
    RETRY_MIN("retry-min", "5", "SECONDS", "First retry delay after a transient failure (then doubling, with jitter)."),
    RETRY_MAX("retry-max", "3600", "SECONDS", "Longest retry delay."),
    MAX_ATTEMPTS("max-attempts", "12", "N", "Send attempts before a delivery is given up as failed."),
    GONE_AFTER_BAD_REQUESTS("gone-after-bad-requests", "3", "N",
            "Consecutive 400 answers for one subscription after which it is treated as gone (Apple answers 400 forever "
                    + "to subscriptions made with an old key); 0: never."),
    SUBSCRIPTION_EXPIRE_AFTER_DAYS("subscription-expire-after-days", "0", "DAYS",
            "Delete subscriptions with no successful delivery (and no re-subscribe) for this many days, emitting "
                    + "subscription.deleted (reason expired); 0: never."),
    FANOUT_PAGE("fanout-page", "1000", "N", "Subscriptions queued per fan-out transaction."),
    SYNC_COLLECTIONS("sync-collections", "posts:shared:notify", "LIST",
            "Sync collections, comma-separated name:shared|private[:notify] (notify: a new document notifies everyone)."),
    MAX_DOCUMENT_BYTES("max-document-bytes", "16384", "BYTES", "Largest sync document (its JSON)."),
    MAX_MUTATIONS("max-mutations", "100", "N", "Mutations per sync batch."),
    PUSH_MAX_BYTES_PER_AGENT("push-max-bytes-per-agent", "524288", "BYTES",
            "Embedded push service: bytes of undelivered messages kept for one browser (beside 100 messages)."),
    PUSH_MAX_STORED_BYTES("push-max-stored-bytes", "1073741824", "BYTES",
            "Embedded push service: bytes of undelivered messages kept in all; past it new messages get 507."),
    NODE_ID("node-id", "", "ID", "This node's name among several sharing PostgreSQL (1-64 of A-Z a-z 0-9 . _ -), in /readyz, "
            + "/metrics and the push service's node registry. Default: <host name>-<random>, new at each start."),
    INTERNAL_URL("internal-url", "", "URL", "Where the other nodes reach this one for push-service routing (PostgreSQL only; "
            + "scheme, host and port: the internal route /internal/ must not be exposed publicly). Default: "
            + "http://<host, or this machine's name when listening on all addresses>:<port>."),
    INTERNAL_SECRET("internal-secret", "", "SECRET", "Shared by all nodes: signs their internal push-service notifies (encoded "
            + "like user-token-secret). Default: derived from endpoint-token-key, which every node shares already."),
    SYNC_MAX_DOCUMENTS("sync-max-documents", "10000", "N",
            "Live documents one user may have in one sync collection (in a shared one: the documents they own)."),
    SYNC_MAX_BYTES("sync-max-bytes", "10485760", "BYTES",
            "Bytes of JSON one user may have in one sync collection (in a shared one: in the documents they own)."),
    TOMBSTONE_HORIZON("tombstone-horizon", "2592000", "SECONDS", "How long deletes are kept as tombstones in the change feed."),
    IDEMPOTENCY_RETENTION("idempotency-retention", "86400", "SECONDS", "How long Idempotency-Key responses are kept (at least a day)."),
    NOTIFICATION_RETENTION("notification-retention", "2592000", "SECONDS",
            "How long a notification and its deliveries are kept after it finished (nothing left queued, in flight or scheduled)."),
    EVENT_RETENTION("event-retention", "7776000", "SECONDS",
            "How long engagement events and outbox replay reports are kept (events also go with their notification, whichever comes first)."),
    DAILY_STATS_RETENTION("daily-stats-retention", "34560000", "SECONDS",
            "How long the daily per-category statistics that outlive pruned notifications are kept."),
    CATEGORIES("categories", "", "LIST", "Notification categories, comma-separated id:on|off|critical[:Label] (in a file also an "
            + "array of tables with id, label, description, default, critical, max-per-day). Default: general:on:General, "
            + "or with --demo the demo's categories."),
    TOPICS("topics", "", "LIST", "Topics subscriptions may join, comma-separated; empty allows any valid name."),
    MAX_TOPICS_PER_SUBSCRIPTION("max-topics-per-subscription", "20", "N", "Topics one subscription may join."),
    MAX_PER_DAY("max-per-day", "0", "N",
            "Notifications a user receives per rolling 24 hours, all categories together; users may lower it; 0: no cap."),
    QUIET_HOURS_BYPASS("quiet-hours-bypass", "true", "BOOL",
            "Deliver urgency-high notifications of critical categories during a user's quiet hours.");

    private final String key;
    private final String defaultValue;
    private final String label;
    private final String description;

    Option(String key, String defaultValue, String label, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.label = label;
        this.description = description;
    }

    /** The config-file key and, with {@code --} in front, the flag. */
    public String key() {
        return key;
    }

    public String flag() {
        return "--" + key;
    }

    public String env() {
        return "HERALD_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    public boolean isBoolean() {
        return label.equals("BOOL");
    }

    public static Option byKey(String key) {
        for (Option o : values()) {
            if (o.key.equals(key)) {
                return o;
            }
        }
        return null;
    }
}
