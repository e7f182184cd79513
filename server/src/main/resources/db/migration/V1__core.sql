-- One schema for both databases; ${delivery_id} is the dialect's auto-increment integer key (see Dialect).
-- Times are epoch milliseconds (UTC) in BIGINT columns, the same on SQLite and PostgreSQL.

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    hash        TEXT NOT NULL UNIQUE,   -- SHA-256 of the key, hex; the key itself is never stored
    name        TEXT NOT NULL,
    scopes      TEXT NOT NULL,          -- comma-separated: send, manage, admin
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE subscriptions (
    id              TEXT PRIMARY KEY,   -- time-ordered, so fan-out pages by id see new rows last
    user_id         TEXT,
    endpoint        TEXT NOT NULL UNIQUE,
    origin          TEXT NOT NULL,
    p256dh          TEXT NOT NULL,
    auth            TEXT NOT NULL,
    encoding        TEXT NOT NULL,
    expiration_time BIGINT,
    timezone        TEXT,
    locale          TEXT,
    user_agent      TEXT,
    topics          TEXT NOT NULL DEFAULT '[]',  -- JSON array of topic names
    created_ip      TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX subscriptions_user ON subscriptions (user_id);
CREATE INDEX subscriptions_ip ON subscriptions (created_ip);

CREATE TABLE notifications (
    id             TEXT PRIMARY KEY,
    api_key_id     TEXT,
    status         TEXT NOT NULL,       -- fanout, active, done, cancelled
    audience       TEXT NOT NULL,       -- the request's audience, JSON
    category       TEXT,
    payload        TEXT NOT NULL,       -- the declarative push message, JSON
    ttl            INTEGER NOT NULL,
    urgency        TEXT NOT NULL,
    topic          TEXT,
    send_at        BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    fanout_cursor  TEXT NOT NULL DEFAULT '',
    lease_until    BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL
);
CREATE INDEX notifications_pending ON notifications (status, send_at);

CREATE TABLE deliveries (
    id               ${delivery_id} PRIMARY KEY,
    notification_id  TEXT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    subscription_id  TEXT NOT NULL,
    state            TEXT NOT NULL,     -- queued, leased, sent, failed, expired, gone, cancelled
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_at          BIGINT NOT NULL,   -- queued: when due; leased: when the lease runs out
    last_status      INTEGER,
    last_error       TEXT,
    updated_at       BIGINT NOT NULL,
    UNIQUE (notification_id, subscription_id)
);
CREATE INDEX deliveries_pending ON deliveries (next_at) WHERE state IN ('queued', 'leased');
CREATE INDEX deliveries_by_notification ON deliveries (notification_id, state);
