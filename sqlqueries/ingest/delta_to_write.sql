-- name: delta_to_write
-- description: The users of a batch of a re-ingest, with the staged user
--   each names: its id (NULL for a new user), whether it was missing, and
--   whether its content hash changed. New, changed and returning users are
--   written (upsert_users_delta.sql); the others cost this one lookup. The
--   ids tell the run's record digests which user each record made.
-- binds: positional, by the Go code that prepares it
-- params: ?1 source, ?2 tenant

SELECT f.rowid, u.id, coalesce(u.change = 'missing', 0), coalesce(u.content_hash IS NOT f.content_hash, 0)
FROM temp.users_delta_feed f
LEFT JOIN users u ON u.source = ?1 AND u.source_tenant = ?2 AND u.source_id = f.source_id;
