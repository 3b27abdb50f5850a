-- name: user_different
-- entity: user
-- kind: different
-- description: An imported user whose WorkOS profile differs from what is
--   staged: email (compared without case), first or last name,
--   email_verified, external_id, metadata (as the importer sends it: values
--   as strings, nulls left out; see mig_workos_metadata). For a user mig
--   adopted, whose profile it never sent, a difference is information only.
WITH pairs AS MATERIALIZED (
    SELECT iu.staged_id, iu.workos_id, iu.email, iu.first_name, iu.last_name, iu.email_verified,
           iu.external_id, mig_workos_metadata(iu.metadata) AS metadata,
           w.email AS w_email, coalesce(w.first_name, '') AS w_first_name, coalesce(w.last_name, '') AS w_last_name,
           w.email_verified AS w_email_verified, coalesce(w.external_id, '') AS w_external_id, w.metadata AS w_metadata,
           CASE WHEN iu.outcome = 'adopted' THEN 'info' ELSE 'error' END AS severity,
           CASE
               WHEN iu.outcome = 'adopted' THEN ' (adopted: mig did not send its profile)'
               WHEN iu.sent_current = 0 THEN ' (changed in staging since it was imported: mig import sends it)'
               ELSE ''
           END AS note
    FROM reconcile_imported_users iu
    JOIN reconcile_workos_users w ON w.id = iu.workos_id
),
diffs (staged_id, workos_id, severity, note, field, staged_value, workos_value) AS (
    SELECT staged_id, workos_id, severity, note, 'email', email, w_email
    FROM pairs WHERE lower(email) <> lower(w_email)
    UNION ALL
    SELECT staged_id, workos_id, severity, note, 'first_name', first_name, w_first_name
    FROM pairs WHERE first_name <> w_first_name
    UNION ALL
    SELECT staged_id, workos_id, severity, note, 'last_name', last_name, w_last_name
    FROM pairs WHERE last_name <> w_last_name
    UNION ALL
    SELECT staged_id, workos_id, severity, note, 'email_verified',
           CASE WHEN email_verified THEN 'true' ELSE 'false' END,
           CASE WHEN w_email_verified THEN 'true' ELSE 'false' END
    FROM pairs WHERE (email_verified <> 0) <> (w_email_verified <> 0)
    UNION ALL
    SELECT staged_id, workos_id, severity, note, 'external_id', external_id, w_external_id
    FROM pairs WHERE external_id <> w_external_id
    UNION ALL
    SELECT staged_id, workos_id, severity, note, 'metadata', metadata, w_metadata
    FROM pairs WHERE metadata <> w_metadata
)
INSERT INTO reconcile_findings (run_id, rule, entity, staged_id, workos_id, kind, severity, field, staged_value, workos_value, message)
SELECT :run_id, :rule, 'user', staged_id, workos_id, 'different', severity, field, staged_value, workos_value,
       'WorkOS user ' || workos_id || ': ' || field || ' is ' || quote(workos_value) || ', staged ' || quote(staged_value) || note
FROM diffs;
