-- name: spool_cursor
-- description: Saves where a fetch got to in one resource, so that a
--   fetch started again continues after that page.
-- binds: positional, by the Go code that prepares it

INSERT INTO ingest_spool_cursors (spool_id, resource, cursor, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (spool_id, resource) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at;
