-- name: import_check_errors
-- description: The error findings of `mig check` still open, per rule: while
--   there are any, `mig import` refuses to start (unless
--   --ignore-check-errors), naming them. Findings about users excluded with
--   `mig exclude` are not open (view open_findings): those users are never
--   sent.
SELECT rule, count(*) AS n
FROM open_findings
WHERE severity = 'error'
GROUP BY rule
ORDER BY n DESC, rule;
