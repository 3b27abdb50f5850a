-- name: package_remove_stale_totp
-- description: Forgets the TOTP secrets of this source that this run
--   did not read.

DELETE FROM totp_secrets WHERE source = ? AND ingest_run_id <> ?
AND user_id IN (SELECT id FROM users WHERE source = ? AND source_tenant = ?);
