-- name: delta_seen_table
-- description: The users a run over a source staged before has read so
--   far, with the line each was read on: how the run tells a repeated id,
--   and the users the export no longer has, without writing a user row
--   that did not change. A temporary table of the run's connection, so it
--   never grows the database file; Commit drops it.
-- binds: positional, by the Go code that prepares it

CREATE TEMP TABLE users_seen (source_id TEXT PRIMARY KEY, row_number INTEGER NOT NULL) WITHOUT ROWID;

-- The users the run marks missing (mark_missing.sql): their mapping lines
-- are applied again (mapping_redo_warned.sql).
CREATE TEMP TABLE users_lost (source_id TEXT PRIMARY KEY) WITHOUT ROWID;
