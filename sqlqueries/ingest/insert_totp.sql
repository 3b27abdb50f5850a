-- name: insert_totp
-- description: A TOTP secret read with its user, given to the user
--   staged with that source id; a secret read again keeps its row and
--   takes this run.
-- binds: positional, by the Go code that prepares it

INSERT INTO totp_secrets (user_id, secret, issuer, source, ingest_run_id, row_number)
SELECT id, ?1, ?2, ?3, ?4, ?5 FROM users WHERE source = ?6 AND source_tenant = ?7 AND source_id = ?8
ON CONFLICT (user_id, secret) DO UPDATE SET ingest_run_id = excluded.ingest_run_id, issuer = excluded.issuer;
