-- What each user keeps in each sync collection, for the sync-max-documents / sync-max-bytes quotas. Kept in step with
-- sync_documents in the same transaction as every write; the row's lock makes the check atomic across nodes.
-- user_id: the partition's owner in a private collection, the document's creator in a shared one.
CREATE TABLE sync_usage (
    collection  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    documents   BIGINT NOT NULL,
    bytes       BIGINT NOT NULL,
    PRIMARY KEY (collection, user_id)
);

-- Documents written before the quotas existed (LENGTH counts characters: the bytes of non-ASCII text are under-counted
-- until that document is next written).
INSERT INTO sync_usage (collection, user_id, documents, bytes)
SELECT collection, CASE WHEN owner = '' THEN created_by ELSE owner END, COUNT(*), COALESCE(SUM(LENGTH(doc)), 0)
FROM sync_documents
WHERE deleted = 0 AND (owner <> '' OR created_by IS NOT NULL)
GROUP BY collection, CASE WHEN owner = '' THEN created_by ELSE owner END;
