-- Webhook endpoints (POST /api/v1/webhooks): where events go, and why an endpoint stopped receiving them.
CREATE TABLE webhook_endpoints (
    id               TEXT PRIMARY KEY,
    url              TEXT NOT NULL,
    events           TEXT NOT NULL,     -- wanted event types, comma-separated with a comma at each end: ',delivery.sent,'
    description      TEXT,
    secret           TEXT NOT NULL,     -- whsec_<base64>: signs every request; shown to the caller once, at creation
    created_at       BIGINT NOT NULL,
    failing_since    BIGINT,            -- first failed attempt since the last success; null while the endpoint answers 2xx
    last_error       TEXT,
    last_success_at  BIGINT,
    disabled_at      BIGINT,            -- set after a day of failures or a 410; nothing is sent while set
    disabled_reason  TEXT
);

-- The outbox: one row per event, inserted in the transaction that made the event (only for types some endpoint
-- wants). The dispatcher turns rows into messages per endpoint and deletes them in one transaction.
CREATE TABLE webhook_events (
    id           ${delivery_id} PRIMARY KEY,
    event_id     TEXT NOT NULL,         -- evt_<ulid>, in the payload: the receiver's idempotency key per event
    type         TEXT NOT NULL,
    occurred_at  BIGINT NOT NULL,
    data         TEXT NOT NULL          -- the event's data, JSON
);

-- One request body (a single event, or a batch of events that arrived together) for one endpoint, retried with
-- backoff until it is answered 2xx or a day has passed. Claimed with a lease like deliveries.
CREATE TABLE webhook_messages (
    id           TEXT PRIMARY KEY,      -- msg_<ulid>: the webhook-id header, the same on every retry
    endpoint_id  TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    body         TEXT NOT NULL,
    events       INTEGER NOT NULL,
    state        TEXT NOT NULL,         -- queued, leased, failed
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      BIGINT NOT NULL,       -- due (queued) or lease end (leased)
    last_status  INTEGER,
    last_error   TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX webhook_messages_due ON webhook_messages (state, next_at);
CREATE INDEX webhook_messages_endpoint ON webhook_messages (endpoint_id, state);
