-- name: package_totp
-- description: Gives a package's TOTP secret to the run's user with
--   that email.
-- binds: positional, by the Go code that prepares it

INSERT INTO totp_secrets (user_id, secret, issuer, user_label, source, ingest_run_id, row_number)
SELECT u.id, ?1, ?2, ?3, ?4, ?5, ?6 FROM users u
WHERE u.source = ?4 AND u.source_tenant = ?7 AND u.email = ?8
ORDER BY u.id LIMIT 1
ON CONFLICT (user_id, secret) DO UPDATE SET issuer = excluded.issuer, user_label = excluded.user_label,
    ingest_run_id = excluded.ingest_run_id, row_number = excluded.row_number;
