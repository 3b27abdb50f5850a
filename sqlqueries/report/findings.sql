-- name: report_findings
-- description: `mig check` findings per rule, errors first, then by count,
--   with when the rule last ran. As in `mig check`, n counts every finding
--   and report_findings_excluded says how many of them are about users
--   excluded with `mig exclude` (excluded_findings, the view open_findings
--   leaves out): they block nothing, so the totals leave them out.
SELECT rule, severity, count(*) AS n, max(created_at) AS checked_at
FROM findings
GROUP BY rule, severity
ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, n DESC, rule;
