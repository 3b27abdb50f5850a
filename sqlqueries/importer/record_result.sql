-- name: record_result
-- description: Records a row that is not done: failed or skipped with its
--   cause, or pending again for a later run.
UPDATE import_items
SET status = :status, http_status = :http_status, error_code = :code, error_subcodes = :subcodes,
    request_id = :request_id, message = :message, retryable = :retryable,
    import_run_id = :run_id, updated_at = :now
WHERE id = :id;
