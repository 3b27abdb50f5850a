-- name: report_import_runs
-- description: Every import run, oldest first: where it sent, when it
--   started and ended, and how it ended (running, done, partial, ...).
SELECT id, endpoint, started_at, coalesce(finished_at, '') AS finished_at, status
FROM import_runs
ORDER BY id;
