-- Digests: notifications that ask for one (digest: {key, window, max}) are held per recipient and key, and one
-- summary goes out when the window ends.

-- A notification's digest request; the fan-out holds its recipients instead of queuing deliveries.
CREATE TABLE notification_digests (
    notification_id  TEXT PRIMARY KEY REFERENCES notifications (id) ON DELETE CASCADE,
    digest_key       TEXT NOT NULL,
    window_seconds   INTEGER NOT NULL,
    max_items        INTEGER NOT NULL
);

-- One row per window: open while it collects, released when its summary was created (notification_id; null when
-- nothing was left to send, e.g. every item was cancelled). A recipient is a user, or a subscription without one.
CREATE TABLE digests (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL,      -- '' for a subscription without a user
    subscription_id  TEXT NOT NULL,      -- '' for a user's digest
    digest_key       TEXT NOT NULL,
    state            TEXT NOT NULL,      -- open, released
    max_items        INTEGER NOT NULL,
    opened_at        BIGINT NOT NULL,
    release_at       BIGINT NOT NULL,
    released_at      BIGINT,
    notification_id  TEXT,
    item_count       INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    updated_at       BIGINT NOT NULL
);
-- At most one open window per recipient and key: the database, not the nodes, decides who opens it.
CREATE UNIQUE INDEX digests_one_open ON digests (user_id, subscription_id, digest_key) WHERE state = 'open';
CREATE INDEX digests_due ON digests (release_at) WHERE state = 'open';
CREATE INDEX digests_released ON digests (released_at) WHERE state = 'released';
CREATE INDEX digests_by_notification ON digests (notification_id);

-- The notifications a window collected. The key columns make a notification join a recipient's digests once,
-- even when fan-out meets the same user twice (two devices on two pages).
CREATE TABLE digest_items (
    user_id          TEXT NOT NULL,
    subscription_id  TEXT NOT NULL,
    digest_key       TEXT NOT NULL,
    notification_id  TEXT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    digest_id        TEXT NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
    added_at         BIGINT NOT NULL,
    PRIMARY KEY (user_id, subscription_id, digest_key, notification_id)
);
CREATE INDEX digest_items_by_digest ON digest_items (digest_id, added_at);
CREATE INDEX digest_items_by_notification ON digest_items (notification_id);

-- The devices the collected notifications were for: the summary goes to these.
CREATE TABLE digest_targets (
    digest_id        TEXT NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
    subscription_id  TEXT NOT NULL,
    PRIMARY KEY (digest_id, subscription_id)
);
