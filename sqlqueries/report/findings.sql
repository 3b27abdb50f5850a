-- name: report_findings
-- description: `mig check` findings per rule, errors first, then by count,
--   with when the rule last ran. Findings about users excluded with `mig
--   exclude` block nothing and are not counted (view open_findings).
SELECT rule, severity, count(*) AS n, max(created_at) AS checked_at
FROM open_findings
GROUP BY rule, severity
ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, n DESC, rule;
