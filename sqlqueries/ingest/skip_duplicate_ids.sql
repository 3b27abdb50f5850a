-- name: skip_duplicate_ids
-- description: Moves every user whose id repeats an earlier line's to
--   skipped_users, naming the line that was staged. Run after the unique
--   source key failed to build on a bulk first ingest.
-- params: ?1 source, ?2 tenant, ?3 run id, ?4 users file, ?5 now
-- binds: positional, by the Go code that prepares it

CREATE TEMP TABLE dup_users AS
SELECT id, first_row FROM (
    SELECT id, row_number() OVER w AS n, first_value(row_number) OVER w AS first_row
    FROM users WHERE source = ?1 AND source_tenant = ?2
    WINDOW w AS (PARTITION BY source_id ORDER BY id))
WHERE n > 1;
INSERT INTO skipped_users (ingest_run_id, source, source_tenant, source_id, file, row_number, email, reason, raw, created_at)
SELECT ?3, u.source, u.source_tenant, u.source_id, ?4, u.row_number, u.email,
       'duplicate id "' || u.source_id || '": line ' || d.first_row || ' has the same id and was staged', u.raw, ?5
FROM users u JOIN dup_users d ON d.id = u.id;
DELETE FROM totp_secrets WHERE user_id IN (SELECT id FROM dup_users);
DELETE FROM users WHERE id IN (SELECT id FROM dup_users);
DROP TABLE dup_users;
