-- Idempotency-Key records (draft-ietf-httpapi-idempotency-key-header), scoped by caller identity.
CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,       -- the caller: user:<id>, key:<id>, anonymous:<ip>
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,       -- SHA-256 of method, path and body
    state        TEXT NOT NULL,       -- in_flight, done
    status       INTEGER,
    content_type TEXT,
    body         TEXT,
    lease_until  BIGINT NOT NULL,     -- an in-flight record older than this was abandoned (crash) and may be taken over
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- Sync collections: documents with client-chosen ids; owner is '' for shared collections, the user id for private ones.
CREATE TABLE sync_documents (
    collection  TEXT NOT NULL,
    owner       TEXT NOT NULL,
    id          TEXT NOT NULL,
    version     BIGINT NOT NULL,
    deleted     INTEGER NOT NULL,     -- 1 for a tombstone
    doc         TEXT,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (collection, owner, id)
);
CREATE INDEX sync_documents_feed ON sync_documents (collection, owner, version);

-- The monotonic version counter of each collection partition, taken (and so locked) first by every write
-- transaction: versions are handed out in commit order, so a reader paging by version never skips a late commit.
CREATE TABLE sync_counters (
    collection      TEXT NOT NULL,
    owner           TEXT NOT NULL,
    version         BIGINT NOT NULL,
    purged_through  BIGINT NOT NULL DEFAULT 0,  -- tombstones up to this version were removed: older cursors get 410
    PRIMARY KEY (collection, owner)
);
