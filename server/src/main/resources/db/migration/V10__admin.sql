-- Admin console sessions: an operator signs in with an admin-scope API key and gets a cookie. Only the SHA-256 of
-- the session id is stored, so a copy of the database cannot be replayed as a cookie.
CREATE TABLE admin_sessions (
    id_hash     TEXT PRIMARY KEY,
    api_key_id  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX admin_sessions_expiry ON admin_sessions (expires_at);

-- What the console reads, so its pages stay index lookups on 100,000 devices: deliveries per time bucket
-- (the overview chart and alerts) and per device (its timeline), events per device, devices per push service,
-- the latest sync changes.
CREATE INDEX deliveries_by_time ON deliveries (updated_at);
CREATE INDEX deliveries_by_subscription ON deliveries (subscription_id);
CREATE INDEX notification_events_by_subscription ON notification_events (subscription_id);
CREATE INDEX subscriptions_origin ON subscriptions (origin);
CREATE INDEX sync_documents_recent ON sync_documents (updated_at);
