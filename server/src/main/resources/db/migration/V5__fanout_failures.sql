-- Fan-out attempts that failed (an exception while queuing the audience) and the last reason. After a few the
-- notification ends 'failed' with its reason instead of being retried after every lease, forever.
ALTER TABLE notifications ADD COLUMN fanout_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN fanout_error TEXT;
