-- name: readback_finish_run
-- description: Record how a mig reconcile run ended (clean, differences,
--   interrupted, failed) and its summary.
UPDATE reconcile_runs SET finished_at = :now, status = :status, summary = :summary WHERE id = :id;
