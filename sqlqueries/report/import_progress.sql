-- name: report_import_progress
-- description: Settled import rows per time bucket and status: bucket k
--   holds the rows whose updated_at falls k to k+1 bucket widths
--   (:width, in seconds) after :start. The progress chart adds them up.
SELECT CAST((julianday(updated_at) - julianday(:start)) * 86400.0 / :width AS INTEGER) AS bucket,
       status, count(*) AS n
FROM import_items
WHERE status IN ('done', 'failed', 'skipped')
GROUP BY bucket, status
ORDER BY bucket, status;
