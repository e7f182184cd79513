-- The nodes of the embedded push service sharing this database, so a node that accepts a message can tell the node
-- holding its browser's WebSocket directly (an internal HTTP call to internal_url) instead of every node polling the
-- messages table. heartbeat_at: the node's clock at its last heartbeat; a node silent for long is treated as down.
CREATE TABLE push_nodes (
    id            TEXT PRIMARY KEY,
    internal_url  TEXT NOT NULL,
    started_at    BIGINT NOT NULL,
    heartbeat_at  BIGINT NOT NULL
);

-- Which node holds the user agent's WebSocket (NULL: none), and which of that node's connections, so a connection
-- that ends clears the column only if no newer connection of the same browser has claimed it since.
ALTER TABLE push_user_agents ADD COLUMN node_id TEXT;
ALTER TABLE push_user_agents ADD COLUMN node_connection BIGINT;
CREATE INDEX push_user_agents_node ON push_user_agents (node_id);
