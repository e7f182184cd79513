-- Sync mutations the server refused (conflict: a stale base version; forbidden: another user's shared document),
-- for the console. Written in the batch's transaction; only the latest 100 per collection are kept.
CREATE TABLE sync_conflicts (
    collection   TEXT NOT NULL,
    owner        TEXT NOT NULL,     -- the partition: '' in a shared collection, else the user
    document_id  TEXT NOT NULL,
    user_id      TEXT,              -- who sent the mutation; null: a manage key
    status       TEXT NOT NULL,     -- conflict, forbidden
    at           BIGINT NOT NULL
);
CREATE INDEX sync_conflicts_recent ON sync_conflicts (collection, at);
CREATE INDEX sync_conflicts_at ON sync_conflicts (at);
