-- One sync write as Herald does it on PostgreSQL now: per-document advisory lock, registration, transaction id as version.
\set n random(1, 1000000000)
BEGIN;
SELECT pg_current_xact_id()::text::bigint AS xid, registered FROM (SELECT n, pg_advisory_xact_lock_shared(12345, 0)::text AS registered FROM (SELECT COUNT(pg_advisory_xact_lock(k)) AS n FROM (SELECT hashtextextended('posts//' || id, 0) AS k FROM unnest(ARRAY['d' || :n || '-' || :client_id]) AS id ORDER BY k) AS keys) AS locked) AS r \gset
SELECT version FROM herald_pgbench.sync_documents WHERE collection = 'posts' AND owner = '' AND id = 'd' || :n || '-' || :client_id;
INSERT INTO herald_pgbench.sync_documents VALUES ('posts', '', 'd' || :n || '-' || :client_id, :xid * 1024, 0, '{"text":"x"}', 0, 'u') ON CONFLICT (collection, owner, id) DO UPDATE SET version = excluded.version;
END;
