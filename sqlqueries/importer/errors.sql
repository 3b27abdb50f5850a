-- name: import_errors
-- description: Import failures grouped by cause, most frequent first, with
--   one example of each: what `mig errors` prints. Role assignments the
--   import can never send (role_assignments_not_sent) are groups too.
SELECT entity, status, http_status, error_code, error_subcodes, retryable, n,
       example_message, example_row, example_request_id
FROM (
    SELECT entity, status, coalesce(http_status, 0) AS http_status, coalesce(error_code, '') AS error_code,
           error_subcodes, coalesce(retryable, 0) AS retryable, count(*) AS n,
           coalesce(min(message), '') AS example_message,
           coalesce(min(coalesce(email, object, source_id)), '') AS example_row,
           coalesce(max(request_id), '') AS example_request_id
    FROM import_failures
    GROUP BY entity, status, http_status, error_code, error_subcodes, retryable
    UNION ALL
    SELECT 'role_assignment', 'not_sent', 0, reason, '[]', 0, count(*), min(message),
           min(coalesce(email, user_source_id) || ' (' || role_slug || ')'), ''
    FROM role_assignments_not_sent
    GROUP BY reason
)
ORDER BY n DESC, entity, error_code;
