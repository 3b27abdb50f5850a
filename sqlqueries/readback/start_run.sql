-- name: readback_start_run
-- description: Record a mig reconcile run with its options (never the API key).
INSERT INTO reconcile_runs (endpoint, options, started_at) VALUES (:endpoint, :options, :now);
