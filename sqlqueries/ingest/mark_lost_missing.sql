-- name: mark_lost_missing
-- description: Marks missing the users a re-ingest noted in
--   temp.users_lost (mark_missing.sql, mark_gone_missing.sql): never
--   deleted, as they may be in WorkOS already.
-- binds: positional, by the Go code that prepares it
-- params: ?1 source, ?2 tenant

UPDATE users SET change = 'missing'
WHERE source = ?1 AND source_tenant = ?2 AND source_id IN (SELECT source_id FROM temp.users_lost);
