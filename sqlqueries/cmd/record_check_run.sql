-- name: record_check_run
-- description: Notes a check of every rule, for mig status to tell a
--   clean database from an unchecked one.

INSERT INTO check_runs (ingest_run_id, started_at, finished_at, rules, errors, warnings, infos)
VALUES (?, ?, ?, ?, ?, ?, ?);
