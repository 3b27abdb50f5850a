-- name: delta_repeats
-- description: The users of a batch of a re-ingest whose id an earlier
--   batch of the run already staged, with the line of that one (the
--   run's Go code finds the repeats inside a batch).
-- binds: positional, by the Go code that prepares it

SELECT f.rowid, s.row_number
FROM temp.users_delta_feed f JOIN temp.users_seen s ON s.source_id = f.source_id;
