-- name: import_failures
-- description: Every failed or skipped import row, for `mig errors --retry-csv`.
SELECT entity, entity_id, status, coalesce(source_id, '') AS source_id, coalesce(email, '') AS email,
       coalesce(object, '') AS object, coalesce(http_status, 0) AS http_status,
       coalesce(error_code, '') AS error_code, error_subcodes, coalesce(retryable, 0) AS retryable,
       attempts, coalesce(request_id, '') AS request_id, coalesce(message, '') AS message
FROM import_failures
ORDER BY entity, entity_id;
