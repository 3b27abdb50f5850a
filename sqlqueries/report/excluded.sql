-- name: report_excluded
-- description: Users excluded with `mig exclude` per source and tenant:
--   staged, but never sent (nor their memberships and TOTP factors). Read
--   only when the exclusions table exists (report_has_exclusions).
SELECT source, source_tenant, count(*) AS n
FROM excluded_users
GROUP BY source, source_tenant
ORDER BY source, source_tenant;
