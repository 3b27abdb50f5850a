-- name: import_errors
-- description: Import failures grouped by cause, most frequent first, with
--   one example of each: what `mig errors` prints.
SELECT entity, status, coalesce(http_status, 0) AS http_status, coalesce(error_code, '') AS error_code,
       error_subcodes, coalesce(retryable, 0) AS retryable, count(*) AS n,
       coalesce(min(message), '') AS example_message,
       coalesce(min(coalesce(email, object, source_id)), '') AS example_row,
       coalesce(max(request_id), '') AS example_request_id
FROM import_failures
GROUP BY entity, status, http_status, error_code, error_subcodes, retryable
ORDER BY n DESC, entity, error_code;
