-- Topics and tags move to their own tables so topic and tag audiences use an index instead of scanning JSON.
CREATE TABLE subscription_topics (
    topic            TEXT NOT NULL,
    subscription_id  TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    PRIMARY KEY (topic, subscription_id)
);
CREATE INDEX subscription_topics_by_subscription ON subscription_topics (subscription_id);
${topics_backfill};
ALTER TABLE subscriptions DROP COLUMN topics;

CREATE TABLE subscription_tags (
    subscription_id  TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    value            TEXT NOT NULL,
    PRIMARY KEY (subscription_id, name)
);
CREATE INDEX subscription_tags_pair ON subscription_tags (name, value);

-- A user's choices. No row: the configured defaults.
CREATE TABLE preferences (
    user_id      TEXT PRIMARY KEY,
    categories   TEXT NOT NULL DEFAULT '{}',   -- JSON {categoryId: bool}, only the ones the user set
    quiet_start  TEXT,                         -- HH:MM local time, with quiet_end, or both null
    quiet_end    TEXT,
    timezone     TEXT,                         -- IANA zone; null: each subscription's own
    max_per_day  INTEGER,
    updated_at   BIGINT NOT NULL
);

-- Topics a user joined through preferences: every subscription of theirs, present and future, is in them.
CREATE TABLE user_topics (
    topic    TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    PRIMARY KEY (topic, user_id)
);

-- What counts against frequency caps: one row per notification queued for a user, at the time it is due.
CREATE TABLE send_ledger (
    user_id          TEXT NOT NULL,
    notification_id  TEXT NOT NULL,
    category         TEXT NOT NULL,
    due_at           BIGINT NOT NULL,
    PRIMARY KEY (user_id, notification_id)
);
CREATE INDEX send_ledger_window ON send_ledger (user_id, due_at);

-- What service workers reported; one row per (notification, subscription, type, action), so repeats are ignored.
CREATE TABLE notification_events (
    notification_id  TEXT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    subscription_id  TEXT NOT NULL,
    type             TEXT NOT NULL,             -- received, shown, clicked, closed, action
    action           TEXT NOT NULL DEFAULT '',
    occurred_at      BIGINT NOT NULL,           -- the browser's time
    recorded_at      BIGINT NOT NULL,
    PRIMARY KEY (notification_id, subscription_id, type, action)
);

-- Local-time sends ("09:00 where the user is") and per-notification quiet-hours opt-out.
ALTER TABLE notifications ADD COLUMN send_at_local TEXT;
ALTER TABLE notifications ADD COLUMN respect_quiet_hours INTEGER NOT NULL DEFAULT 1;
-- Each delivery's own expiry: a local-time send starts its TTL at its own local time.
ALTER TABLE deliveries ADD COLUMN expires_at BIGINT;
