-- name: mark_missing
-- description: The users of a source a re-ingest's export no longer has:
--   those not in temp.users_seen. The source's ids are noted in
--   temp.users_lost (their mapping lines are applied again: they now name
--   a user not in the export); mark_lost_missing.sql marks them.
-- binds: positional, by the Go code that prepares it
-- params: ?1 source, ?2 tenant

INSERT INTO temp.users_lost (source_id)
SELECT source_id FROM users
WHERE source = ?1 AND source_tenant = ?2 AND change <> 'missing'
  AND source_id NOT IN (SELECT source_id FROM temp.users_seen);
