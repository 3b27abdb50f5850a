-- name: rollback_finish_run
-- description: Record how a rollback run ended (done, partial, interrupted,
--   stopped, failed) and its summary.
UPDATE rollback_runs SET finished_at = :now, status = :status, summary = :summary WHERE id = :id;
