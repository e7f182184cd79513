-- The embedded push service: user agents (browsers connected over the autopush WebSocket), their channels
-- (one per push subscription) and messages waiting for them.
CREATE TABLE push_user_agents (
    uaid          TEXT PRIMARY KEY,
    created_at    BIGINT NOT NULL,
    connected_at  BIGINT NOT NULL
);

CREATE TABLE push_channels (
    uaid        TEXT NOT NULL REFERENCES push_user_agents (uaid) ON DELETE CASCADE,
    channel_id  TEXT NOT NULL,
    key_hash    TEXT,                 -- VAPID-restricted channels: base64url of the first 16 bytes of SHA-256(key)
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (uaid, channel_id)
);

CREATE TABLE push_messages (
    seq         ${delivery_id} PRIMARY KEY,   -- arrival order, the order user agents get them in
    id          TEXT NOT NULL UNIQUE,
    uaid        TEXT NOT NULL,
    channel_id  TEXT NOT NULL,
    topic       TEXT,
    urgency     TEXT NOT NULL,
    headers     TEXT NOT NULL,        -- JSON: what the user agent needs to decrypt (encoding, encryption, crypto_key)
    data        TEXT,                 -- base64url body
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    FOREIGN KEY (uaid, channel_id) REFERENCES push_channels (uaid, channel_id) ON DELETE CASCADE
);
CREATE INDEX push_messages_pending ON push_messages (uaid, expires_at);
CREATE INDEX push_messages_expiry ON push_messages (expires_at);
CREATE INDEX push_messages_recent ON push_messages (created_at);
