-- name: touch_totp
-- description: Records that a TOTP secret staged before is in this
--   run's export again.
-- binds: positional, by the Go code that prepares it

UPDATE totp_secrets SET ingest_run_id = ?1
WHERE user_id = (SELECT id FROM users WHERE source = ?2 AND source_tenant = ?3 AND source_id = ?4) AND secret = ?5;
