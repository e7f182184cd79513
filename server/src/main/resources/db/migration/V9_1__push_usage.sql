-- Bytes of undelivered push messages in all, for push-max-stored-bytes: 16 stripes (their sum is the total), so
-- concurrent pushes on PostgreSQL each add to one row and rarely wait for one another.
CREATE TABLE push_usage (
    stripe  INTEGER PRIMARY KEY,
    bytes   BIGINT NOT NULL
);
INSERT INTO push_usage (stripe, bytes) VALUES (0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (8, 0),
    (9, 0), (10, 0), (11, 0), (12, 0), (13, 0), (14, 0), (15, 0);
UPDATE push_usage SET bytes = (SELECT COALESCE(SUM(LENGTH(data)), 0) FROM push_messages) WHERE stripe = 0;
