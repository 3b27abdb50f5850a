-- name: remove_lost_totp
-- description: A user seen in this run without a TOTP secret it had
--   before has lost it, unless the factor already reached WorkOS.
-- binds: positional, by the Go code that prepares it

DELETE FROM totp_secrets
WHERE source = ?1 AND ingest_run_id < ?3
  AND user_id IN (SELECT id FROM users WHERE source = ?1 AND source_tenant = ?2 AND last_seen_run_id = ?3)
  AND NOT EXISTS (SELECT 1 FROM import_items i WHERE i.entity = 'totp' AND i.entity_id = totp_secrets.id AND i.status = 'done');
