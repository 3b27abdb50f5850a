-- name: rollback_result
-- description: What became of one row: deleted, kept or failed, with the
--   reason and WorkOS's answer.
UPDATE rollback_items
SET status = :status, reason = :reason, http_status = :http_status, error_code = :error_code,
    request_id = :request_id, rollback_run_id = :run_id, updated_at = :now
WHERE id = :id;
