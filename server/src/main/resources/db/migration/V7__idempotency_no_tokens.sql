-- Responses of POST /api/v1/users/{userId}/tokens are live user tokens and are no longer stored with their
-- Idempotency-Key; drop the bodies earlier versions kept (a retry with such a key now mints a fresh token).
UPDATE idempotency_keys SET body = NULL WHERE state = 'done' AND body LIKE '{"token":"%';
