-- name: package_remove_stale_totp
-- description: Forgets the TOTP secrets of this source that this run
--   did not read.
-- binds: positional, by the Go code that prepares it

DELETE FROM totp_secrets WHERE source = ? AND ingest_run_id <> ?
AND user_id IN (SELECT id FROM users WHERE source = ? AND source_tenant = ?);
