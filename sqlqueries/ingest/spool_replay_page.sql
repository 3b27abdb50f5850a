-- name: spool_replay_page
-- description: One page of the spooled records, in the order they were
--   fetched, for the replay into a run.
-- binds: positional, by the Go code that prepares it

SELECT id, kind, file, record FROM ingest_spool_records
WHERE spool_id = ? AND seq < ? AND id > ? ORDER BY id LIMIT ?;
