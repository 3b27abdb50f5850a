-- name: remove_stale_roles
-- description: Drops the roles an earlier run of this source staged and
--   this one no longer defines, unless WorkOS already has them.
-- binds: positional, by the Go code that prepares it

DELETE FROM roles WHERE source = ? AND ingest_run_id < ?
AND NOT EXISTS (SELECT 1 FROM import_items i WHERE i.entity = 'role' AND i.entity_id = roles.id AND i.status = 'done');
