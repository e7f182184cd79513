-- Retention: a notification is rolled up into daily_stats once it is finished (fan-out over, no delivery queued or
-- in flight), then pruned with its deliveries and events after notification-retention. finished_at is when its last
-- delivery settled, set together with rolled_up_at; /api/v1/stats reads daily_stats for rolled-up notifications and
-- the raw rows for the others, so nothing is counted twice.
ALTER TABLE notifications ADD COLUMN finished_at BIGINT;
ALTER TABLE notifications ADD COLUMN rolled_up_at BIGINT;
CREATE INDEX notifications_unrolled ON notifications (created_at) WHERE rolled_up_at IS NULL;
CREATE INDEX notifications_finished ON notifications (finished_at) WHERE rolled_up_at IS NOT NULL;
CREATE INDEX notification_events_recorded ON notification_events (recorded_at);

-- Per UTC day (of the notifications' creation) and category; day is the epoch milliseconds of 00:00 UTC and
-- category '' stands for none. Kept daily-stats-retention.
CREATE TABLE daily_stats (
    day            BIGINT NOT NULL,
    category       TEXT NOT NULL,
    notifications  BIGINT NOT NULL DEFAULT 0,
    targeted       BIGINT NOT NULL DEFAULT 0,   -- deliveries, whatever became of them
    sent           BIGINT NOT NULL DEFAULT 0,
    suppressed     BIGINT NOT NULL DEFAULT 0,
    failed         BIGINT NOT NULL DEFAULT 0,
    expired        BIGINT NOT NULL DEFAULT 0,
    gone           BIGINT NOT NULL DEFAULT 0,
    cancelled      BIGINT NOT NULL DEFAULT 0,
    delivered      BIGINT NOT NULL DEFAULT 0,   -- subscriptions that reported any event
    shown          BIGINT NOT NULL DEFAULT 0,
    clicked        BIGINT NOT NULL DEFAULT 0,   -- clicked or an action
    closed         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, category)
);
