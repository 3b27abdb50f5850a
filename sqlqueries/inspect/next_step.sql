-- name: next_step
-- description: Where the migration stands, from what the database holds, and
--   so the step to take next: ingest, check, check_again (an ingest came after
--   the last check, or exclusions changed since it started), fix (error
--   findings, of the rules error_rules lists), plan (checked, nothing
--   imported), import (rows pending, or an ingest came after the last
--   import), retry (rows failed), reconcile (everything imported, and no
--   reconciliation finished since the last import: WorkOS has not been read
--   back yet, or the last read was interrupted), differences (the last
--   reconciliation found WorkOS different) or done. `mig status` ends with it, and
--   tells a fix step whose rules no fix repairs (their "-- fix" header, which
--   only the rule files hold) as one to correct the export or exclude the
--   users. Findings about excluded users do not count (open_findings).
WITH
last_ingest AS (SELECT max(id) AS id, max(finished_at) AS finished_at FROM ingest_runs),
last_check AS (SELECT id, ingest_run_id, coalesce(started_at, finished_at) AS started_at
               FROM check_runs ORDER BY id DESC LIMIT 1),
facts AS (
    SELECT
        (SELECT count(*) FROM users WHERE change <> 'missing') AS users,
        (SELECT count(*) FROM organizations) + (SELECT count(*) FROM roles)
            + (SELECT count(*) FROM permissions) AS other_rows,
        (SELECT count(*) FROM skipped_users) AS skipped,
        (SELECT count(*) FROM last_check) AS checked,
        coalesce((SELECT ingest_run_id FROM last_check), 0) < coalesce((SELECT id FROM last_ingest), 0) AS check_stale,
        coalesce((SELECT max(max(excluded_at, coalesce(undone_at, ''))) FROM exclusions)
                 > (SELECT started_at FROM last_check), 0) AS excluded_since_check,
        (SELECT count(*) FROM open_findings WHERE severity = 'error') AS check_errors,
        (SELECT json_group_array(rule) FROM (SELECT DISTINCT rule FROM open_findings
            WHERE severity = 'error' ORDER BY rule)) AS error_rules,
        (SELECT count(*) FROM excluded_users) AS excluded,
        (SELECT count(*) FROM import_runs) AS import_runs,
        coalesce((SELECT max(started_at) FROM import_runs) < (SELECT finished_at FROM last_ingest), 0) AS ingested_since_import,
        (SELECT count(*) FROM import_items WHERE status = 'failed') AS import_failed,
        (SELECT count(*) FROM import_items WHERE status IN ('pending', 'in_flight')) AS import_pending,
        (SELECT count(*) FROM import_items WHERE status = 'done') AS import_done,
        -- The newest reconciliation that started after the last import
        -- ended, and how it ended (clean, differences, interrupted, failed).
        (SELECT status FROM reconcile_runs
         WHERE started_at >= (SELECT max(coalesce(finished_at, started_at)) FROM import_runs)
         ORDER BY id DESC LIMIT 1) AS reconciled,
        (SELECT count(*) FROM reconcile_findings
         WHERE severity = 'error' AND run_id = (SELECT max(id) FROM reconcile_runs)) AS reconcile_errors
)
SELECT
    CASE
        WHEN users + other_rows = 0 THEN 'ingest'
        WHEN NOT checked THEN 'check'
        WHEN check_stale OR excluded_since_check THEN 'check_again'
        WHEN check_errors > 0 THEN 'fix'
        WHEN import_runs = 0 THEN 'plan'
        WHEN ingested_since_import OR import_pending > 0 THEN 'import'
        WHEN import_failed > 0 THEN 'retry'
        WHEN reconciled IS NULL OR reconciled NOT IN ('clean', 'differences') THEN 'reconcile'
        WHEN reconciled = 'differences' THEN 'differences'
        ELSE 'done'
    END AS step,
    users, skipped, check_stale, check_errors, error_rules, excluded,
    import_failed, import_pending, import_done, reconcile_errors
FROM facts;
