-- Server-owned tags of a user (names start with '@'), set only with a manage key; they hold for every subscription
-- of the user. Server-owned user-level topics live in user_topics with the same '@' prefix.
CREATE TABLE user_tags (
    user_id  TEXT NOT NULL,
    name     TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (user_id, name)
);
CREATE INDEX user_tags_pair ON user_tags (name, value);

-- Who created a document in a shared sync collection (the user id; null: a manage key, or before owners existed).
-- Only that user or a manage key may change or delete it.
ALTER TABLE sync_documents ADD COLUMN created_by TEXT;
