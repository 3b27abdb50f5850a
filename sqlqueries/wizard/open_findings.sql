-- name: wizard_open_findings
-- description: The open findings of the last check (those about excluded
--   users left out, as open_findings does), counted by rule and severity:
--   what `mig wizard` decides on after a check (offer `mig check --fix` when
--   a rule with findings has a fix, `mig exclude` when errors remain).
SELECT rule, severity, count(*) AS n
FROM open_findings
GROUP BY rule, severity
ORDER BY rule, severity;
