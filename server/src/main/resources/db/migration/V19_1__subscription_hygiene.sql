-- Subscription hygiene: the last successful delivery and the last engagement (shown, clicked) of each subscription,
-- each written at most once a day per subscription (so a delivery does not cost a write of its own). A subscription
-- with no success for subscription-expire-after-days is expired when that policy is on.
ALTER TABLE subscriptions ADD COLUMN last_success_at BIGINT;
ALTER TABLE subscriptions ADD COLUMN last_engaged_at BIGINT;
CREATE INDEX subscriptions_last_success ON subscriptions (last_success_at);
