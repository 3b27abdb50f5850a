-- name: user_totp_factors
-- entity: user
-- kind: different
-- description: An imported user whose count of TOTP factors in WorkOS is
--   not the count of TOTP factors imported for it (one more enrolled since,
--   or one deleted). Counted for the users whose factors were read. For a
--   user mig adopted, whose own factors it left alone, information only.
WITH counts AS MATERIALIZED (
    SELECT iu.staged_id, iu.workos_id, iu.outcome,
           (SELECT count(*) FROM reconcile_imported_totp it WHERE it.user_id = iu.staged_id) AS staged_n,
           (SELECT count(*) FROM reconcile_workos_factors f WHERE f.user_id = iu.workos_id AND f.type = 'totp') AS workos_n
    FROM reconcile_imported_users iu
    JOIN reconcile_workos_users u ON u.id = iu.workos_id AND u.factors_read = 1
)
INSERT INTO reconcile_findings (run_id, rule, entity, staged_id, workos_id, kind, severity, field, staged_value, workos_value, message)
SELECT :run_id, :rule, 'user', staged_id, workos_id, 'different',
       CASE WHEN outcome = 'adopted' THEN 'info' ELSE 'error' END, 'totp_factors', staged_n, workos_n,
       'WorkOS user ' || workos_id || ' has ' || workos_n || ' TOTP factor(s), ' || staged_n || ' imported'
       || CASE WHEN outcome = 'adopted' THEN ' (adopted: its own factors are its own)' ELSE '' END
FROM counts
WHERE staged_n <> workos_n;
