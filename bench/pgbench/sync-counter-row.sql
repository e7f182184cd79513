-- One sync write as Herald did it before: the partition counter row taken first and held through the commit.
\set n random(1, 1000000000)
BEGIN;
UPDATE herald_pgbench.sync_counters SET version = version + 1 WHERE collection = 'posts' AND owner = '' RETURNING version \gset
SELECT version FROM herald_pgbench.sync_documents WHERE collection = 'posts' AND owner = '' AND id = 'd' || :n || '-' || :client_id;
INSERT INTO herald_pgbench.sync_documents VALUES ('posts', '', 'd' || :n || '-' || :client_id, :version, 0, '{"text":"x"}', 0, 'u') ON CONFLICT (collection, owner, id) DO UPDATE SET version = excluded.version;
END;
