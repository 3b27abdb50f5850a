-- name: report_last_check
-- description: The last `mig check` run: when it finished and how many rules
--   it ran, for a report with no findings to say that it found nothing.
SELECT finished_at, rules FROM check_runs ORDER BY id DESC LIMIT 1;
