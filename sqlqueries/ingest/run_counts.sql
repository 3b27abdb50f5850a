-- name: run_counts
-- description: The totals an ingest run reports: its warnings, and the
--   staged organizations, memberships, role assignments and TOTP
--   secrets.
-- binds: positional, by the Go code that prepares it

SELECT
(SELECT count(*) FROM warnings WHERE ingest_run_id = ?1),
(SELECT count(*) FROM organizations),
(SELECT count(*) FROM memberships),
(SELECT count(*) FROM role_assignments),
(SELECT count(*) FROM totp_secrets);
