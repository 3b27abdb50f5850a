-- name: report_sources
-- description: Users per source and tenant: staged (as `mig status` counts
--   them: every user row but those missing from the source's last export),
--   missing from the last export (kept, since they may be in WorkOS
--   already), and skipped with a reason.
SELECT source, source_tenant, sum(staged) AS staged, sum(missing) AS missing, sum(skipped) AS skipped
FROM (
    SELECT source, source_tenant, change <> 'missing' AS staged, change = 'missing' AS missing, 0 AS skipped
    FROM users
    UNION ALL
    SELECT source, source_tenant, 0, 0, 1 FROM skipped_users
)
GROUP BY source, source_tenant
ORDER BY source, source_tenant;
