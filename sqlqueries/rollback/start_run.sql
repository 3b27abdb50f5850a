-- name: rollback_start_run
-- description: Record a rollback run with its options (never the API key).
INSERT INTO rollback_runs (endpoint, options, started_at) VALUES (:endpoint, :options, :now);
