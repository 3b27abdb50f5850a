-- name: rollback_reset_import_item
-- description: WorkOS no longer has :workos_id, the object of one import row
--   (deleted by the rollback, or with its user or organization): the row
--   goes back to pending without its WorkOS id, so that a later mig import
--   creates it again. A row that points at another object (created again
--   since) is left alone.
UPDATE import_items
SET status = 'pending', outcome = NULL, workos_id = NULL, imported_hash = NULL, http_status = NULL,
    error_code = NULL, error_subcodes = NULL, request_id = NULL, retryable = NULL,
    message = 'rolled back by mig rollback (run ' || :run_id || '): WorkOS no longer has ' || :workos_id,
    updated_at = :now
WHERE entity = :entity AND entity_id = :entity_id AND workos_id = :workos_id;
