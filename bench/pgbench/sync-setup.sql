-- The schema for the sync write-path pgbench scripts (herald_pgbench, dropped and made again).
DROP SCHEMA IF EXISTS herald_pgbench CASCADE; CREATE SCHEMA herald_pgbench;
CREATE TABLE herald_pgbench.sync_documents (collection TEXT NOT NULL, owner TEXT NOT NULL, id TEXT NOT NULL, version BIGINT NOT NULL,
 deleted INTEGER NOT NULL, doc TEXT, updated_at BIGINT NOT NULL, created_by TEXT, PRIMARY KEY (collection, owner, id));
CREATE INDEX ON herald_pgbench.sync_documents (collection, owner, version);
CREATE TABLE herald_pgbench.sync_counters (collection TEXT NOT NULL, owner TEXT NOT NULL, version BIGINT NOT NULL, purged_through BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (collection, owner));
INSERT INTO herald_pgbench.sync_counters VALUES ('posts', '', 0, 0);
