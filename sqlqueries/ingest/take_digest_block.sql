-- name: take_digest_block
-- description: One block of the record digests the last run of a source
--   recorded (ingest/digests.go), taken out of the table as a re-ingest
--   reads it: the new run's blocks reuse its pages.
-- binds: positional, by the Go code that prepares it
-- params: ?1 source, ?2 tenant, ?3 role, ?4 the run that recorded the set, ?5 block

DELETE FROM ingest_digest_blocks
WHERE source = ?1 AND source_tenant = ?2 AND role = ?3 AND ingest_run_id = ?4 AND block = ?5
RETURNING records, data;
