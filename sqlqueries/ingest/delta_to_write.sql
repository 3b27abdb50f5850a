-- name: delta_to_write
-- description: The users of a batch of a re-ingest that must be written:
--   new, changed (their content hash differs) or back after being
--   missing. Only the id and the content hash of each user are read from
--   the batch, and only the staged user's hash and change from the table,
--   so that the unchanged users, nearly all of a re-ingest, cost one
--   lookup each; upsert_users_delta.sql then writes the others.
-- binds: positional, by the Go code that prepares it
-- params: ?1 source, ?2 tenant

SELECT f.rowid FROM temp.users_delta_feed f
LEFT JOIN users u ON u.source = ?1 AND u.source_tenant = ?2 AND u.source_id = f.source_id
WHERE u.id IS NULL OR u.content_hash IS NOT f.content_hash OR u.change = 'missing';
