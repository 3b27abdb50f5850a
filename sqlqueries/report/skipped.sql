-- name: report_skipped
-- description: Skipped source rows grouped by source, tenant and reason,
--   most frequent first, each with its first row as an example (file, line,
--   source id and email; never the raw record).
SELECT g.source, g.source_tenant, g.reason, g.n,
       s.file, s.row_number, coalesce(s.source_id, '') AS source_id, coalesce(s.email, '') AS email
FROM (
    SELECT source, source_tenant, reason, count(*) AS n, min(id) AS first_id
    FROM skipped_users
    GROUP BY source, source_tenant, reason
) g
JOIN skipped_users s ON s.id = g.first_id
ORDER BY g.n DESC, g.source, g.source_tenant, g.reason;
