-- name: report_import_span
-- description: The settled import rows (done, failed or skipped) and the
--   first and last time one of them settled, from import_items' per-row
--   timestamps: the extent of the progress chart.
SELECT count(*) AS n, coalesce(min(updated_at), '') AS first_at, coalesce(max(updated_at), '') AS last_at
FROM import_items
WHERE status IN ('done', 'failed', 'skipped');
