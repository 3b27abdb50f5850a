-- name: supplement_match
-- description: Joins the records of one supplement run (a file that only adds
--   to staged users: password hashes, TOTP secrets) to the staged users, and
--   gives each record its status: merged, not_found, ambiguous (two staged
--   users fit), unsupported (the record cannot be merged, whoever it belongs
--   to) or duplicate (another record, or the user's own source, gives the
--   user one already). A record names its user by the source's id, else, when
--   the run allows it, by email; a join that fits two users is never guessed.
-- params: :run_id (the run's options say whose users: users_source, '' for
--   every source, and users_tenant; and match_email)

-- By the source's id, among the sources in scope: each (source, tenant)
-- pair is looked up by users_source_key.
WITH run AS (
    SELECT json_extract(options, '$.users_source') AS source, json_extract(options, '$.users_tenant') AS tenant
    FROM ingest_runs WHERE id = :run_id
), scope AS (
    SELECT source, tenant AS source_tenant FROM run WHERE source <> ''
    UNION
    SELECT DISTINCT source, source_tenant FROM users WHERE (SELECT source FROM run) = ''
), hit AS (
    SELECT s.id AS sid, min(u.id) AS uid, count(*) AS n
    FROM supplement_rows s
    CROSS JOIN scope c
    JOIN users u ON u.source = c.source AND u.source_tenant = c.source_tenant AND u.source_id = s.source_user_id
    WHERE s.ingest_run_id = :run_id AND s.source_user_id IS NOT NULL
    GROUP BY s.id
)
UPDATE supplement_rows
SET user_id = CASE WHEN hit.n = 1 THEN hit.uid END,
    matched_by = 'source_id',
    status = CASE WHEN hit.n > 1 THEN 'ambiguous' ELSE status END
FROM hit
WHERE supplement_rows.id = hit.sid;

-- By email, for the records no id joined, when the run allows it.
WITH run AS (
    SELECT json_extract(options, '$.users_source') AS source, json_extract(options, '$.users_tenant') AS tenant,
           json_extract(options, '$.match_email') AS match_email
    FROM ingest_runs WHERE id = :run_id
), hit AS (
    SELECT s.id AS sid, min(u.id) AS uid, count(*) AS n
    FROM run r
    JOIN supplement_rows s
    JOIN users u ON u.email = s.email
    WHERE s.ingest_run_id = :run_id AND r.match_email AND s.user_id IS NULL AND s.status = 'not_found'
      AND s.email IS NOT NULL
      AND (r.source = '' OR (u.source = r.source AND u.source_tenant = r.tenant))
    GROUP BY s.id
)
UPDATE supplement_rows
SET user_id = CASE WHEN hit.n = 1 THEN hit.uid END,
    matched_by = 'email',
    status = CASE WHEN hit.n > 1 THEN 'ambiguous' ELSE status END
FROM hit
WHERE supplement_rows.id = hit.sid;

-- A record that cannot be merged is unsupported, joined or not (the join
-- still says whose it was).
UPDATE supplement_rows SET status = 'unsupported'
WHERE ingest_run_id = :run_id AND problem IS NOT NULL AND status = 'not_found';

-- Of the records of this run that give one user the same kind of thing,
-- the last in the file is kept.
UPDATE supplement_rows SET status = 'duplicate'
WHERE ingest_run_id = :run_id AND status = 'not_found' AND user_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM supplement_rows l
              WHERE l.ingest_run_id = :run_id AND l.user_id = supplement_rows.user_id
                AND l.status = 'not_found' AND l.id > supplement_rows.id);

-- A user whose own source gave it a password hash keeps it: only a hash a
-- supplement merged earlier is replaced.
UPDATE supplement_rows SET status = 'duplicate'
WHERE ingest_run_id = :run_id AND kind = 'password' AND status = 'not_found' AND user_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM users u
              WHERE u.id = supplement_rows.user_id
                AND (u.password IS NOT NULL
                     OR (u.password_hash IS NOT NULL AND u.password_hash IS NOT supplement_rows.password_hash
                         AND NOT EXISTS (SELECT 1 FROM supplement_rows o
                                         WHERE o.user_id = u.id AND o.kind = 'password' AND o.status = 'merged'
                                           AND o.password_hash = u.password_hash))));

-- WorkOS takes one TOTP factor a user: a user who has another secret
-- already keeps it.
UPDATE supplement_rows SET status = 'duplicate'
WHERE ingest_run_id = :run_id AND kind = 'totp' AND status = 'not_found' AND user_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM totp_secrets t
              WHERE t.user_id = supplement_rows.user_id AND t.secret <> supplement_rows.totp_secret);

UPDATE supplement_rows SET status = 'merged'
WHERE ingest_run_id = :run_id AND status = 'not_found' AND user_id IS NOT NULL;
