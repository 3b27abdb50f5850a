-- name: record_check_run
-- description: Notes a check of every rule, for mig status to tell a
--   clean database from an unchecked one and an up-to-date check from one
--   older than the last ingest (ingest_run_id, the last ingest when the
--   check ran) or than the last change of the exclusions (started_at).
--   Written in the transaction of the check's fixes and findings.

INSERT INTO check_runs (ingest_run_id, started_at, finished_at, rules, errors, warnings, infos)
VALUES ((SELECT max(id) FROM ingest_runs), ?, ?, ?, ?, ?, ?);
