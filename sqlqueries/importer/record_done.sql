-- name: record_done
-- description: Records a row WorkOS has: created, adopted or updated, with
--   the WorkOS id (kept when the answer gave none) and the hash sent.
UPDATE import_items
SET status = 'done', outcome = :outcome,
    workos_id = coalesce(:workos_id, workos_id), http_status = :http_status,
    error_code = NULL, error_subcodes = NULL, request_id = :request_id, message = :message,
    retryable = NULL, imported_hash = coalesce(:imported_hash, imported_hash),
    import_run_id = :run_id, updated_at = :now
WHERE id = :id;
