-- name: spool_record
-- description: Keeps one fetched record in the spool; a record fetched
--   again (same digest) is kept once.
-- binds: positional, by the Go code that prepares it

INSERT INTO ingest_spool_records (spool_id, seq, kind, file, record, digest) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (spool_id, digest) DO NOTHING;
