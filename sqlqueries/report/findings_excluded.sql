-- name: report_findings_excluded
-- description: Per rule and severity, the findings about users set aside with
--   `mig exclude`: they block nothing, and the report counts them apart.
SELECT rule, severity, count(DISTINCT finding_id) AS n
FROM excluded_findings
GROUP BY rule, severity;
