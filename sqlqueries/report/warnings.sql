-- name: report_warnings
-- description: Ingest and import warnings by source and code, most frequent
--   first. Only the code is shown: a warning's message may quote what the
--   source held.
SELECT source, code, count(*) AS n
FROM warnings
GROUP BY source, code
ORDER BY n DESC, source, code;
