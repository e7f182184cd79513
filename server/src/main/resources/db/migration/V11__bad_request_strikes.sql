-- Consecutive 400 answers from the push service for this subscription; a 2xx resets it. Past the configured
-- count (gone-after-bad-requests) the subscription is treated as gone: Apple answers 400 forever to
-- subscriptions made with an old VAPID key.
ALTER TABLE subscriptions ADD COLUMN bad_requests INTEGER NOT NULL DEFAULT 0;
