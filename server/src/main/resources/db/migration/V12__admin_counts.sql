-- The console's overview counts devices by push service and by browser in one grouped scan of this index alone
-- (origin, user agent), instead of reading and sorting every subscription row; origin = ? searches still use it.
DROP INDEX subscriptions_origin;
CREATE INDEX subscriptions_origin ON subscriptions (origin, user_agent);
-- The deliveries chart counts by time bucket and outcome from the index alone.
DROP INDEX deliveries_by_time;
CREATE INDEX deliveries_by_time ON deliveries (updated_at, state);
