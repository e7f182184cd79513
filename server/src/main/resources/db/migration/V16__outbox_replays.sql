-- What a browser's outbox reported about its replays (the SDK sends each attempt: sent, conflict, rejected, retry,
-- network-error, expired, gave-up, corrupt), for the device's timeline in the console. A report is repeated until
-- the server has it, so a repeat of the same attempt and outcome is ignored. Kept event-retention, like the
-- engagement events.
CREATE TABLE outbox_replays (
    subscription_id  TEXT NOT NULL,
    mutation_id      TEXT NOT NULL,     -- the outbox entry's id (one queued action)
    attempt          INTEGER NOT NULL,
    outcome          TEXT NOT NULL,
    status           INTEGER,           -- the HTTP status the server answered; null: no answer
    method           TEXT,
    path             TEXT,              -- the request's path, without its query
    occurred_at      BIGINT NOT NULL,   -- the browser's time
    recorded_at      BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, mutation_id, attempt, outcome)
);
CREATE INDEX outbox_replays_recent ON outbox_replays (subscription_id, occurred_at);
CREATE INDEX outbox_replays_recorded ON outbox_replays (recorded_at);
