-- name: import_failures
-- description: Every failed or skipped import row, and every role
--   assignment the import can never send, for `mig errors --retry-csv`.
SELECT entity, entity_id, status, source_id, email, object, http_status, error_code, error_subcodes,
       retryable, attempts, request_id, message
FROM (
    SELECT entity, entity_id, status, coalesce(source_id, '') AS source_id, coalesce(email, '') AS email,
           coalesce(object, '') AS object, coalesce(http_status, 0) AS http_status,
           coalesce(error_code, '') AS error_code, error_subcodes, coalesce(retryable, 0) AS retryable,
           attempts, coalesce(request_id, '') AS request_id, coalesce(message, '') AS message
    FROM import_failures
    UNION ALL
    SELECT 'role_assignment', id, 'not_sent', user_source_id, coalesce(email, ''), role_slug, 0,
           reason, '[]', 0, 0, '', message
    FROM role_assignments_not_sent
)
ORDER BY entity, entity_id;
