-- name: delta_seen
-- description: Records that the users of a batch of a re-ingest are in
--   this run's export.
-- binds: positional, by the Go code that prepares it

INSERT INTO temp.users_seen (source_id, row_number)
SELECT source_id, row_number FROM temp.users_delta_feed;
