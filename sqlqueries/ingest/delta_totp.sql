-- name: delta_totp
-- description: The TOTP secrets of the users of a re-ingest's batch that
--   the batch wrote (new, changed or back): a secret read again keeps its
--   row and takes this run. An unchanged user's secret is unchanged (the
--   content hash covers it), so its row is left as it is.
-- binds: positional, by the Go code that prepares it
-- params: ?1 source, ?2 tenant, ?3 run id

INSERT INTO totp_secrets (user_id, secret, issuer, source, ingest_run_id, row_number)
SELECT u.id, f.totp_secret, f.totp_issuer, ?1, ?3, f.row_number
FROM temp.users_delta_feed f
JOIN users u ON u.source = ?1 AND u.source_tenant = ?2 AND u.source_id = f.source_id
WHERE f.totp_secret IS NOT NULL AND u.ingest_run_id = ?3
ON CONFLICT (user_id, secret) DO UPDATE SET ingest_run_id = excluded.ingest_run_id, issuer = excluded.issuer;
