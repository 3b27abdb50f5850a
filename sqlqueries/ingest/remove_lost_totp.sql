-- name: remove_lost_totp
-- description: A changed user of a re-ingest (ids in the JSON array ?3)
--   without a TOTP secret it had before has lost it, unless the factor
--   already reached WorkOS. Run after delta_totp.sql, which gave the
--   secrets read again this run; an unchanged user has the secret it had.
-- binds: positional, by the Go code that prepares it
-- params: ?1 source, ?2 run id, ?3 JSON array of user ids

DELETE FROM totp_secrets
WHERE source = ?1 AND ingest_run_id < ?2
  AND user_id IN (SELECT value FROM json_each(?3))
  AND NOT EXISTS (SELECT 1 FROM import_items i WHERE i.entity = 'totp' AND i.entity_id = totp_secrets.id AND i.status = 'done');
