-- name: supplement_apply
-- description: Gives the staged users what the merged records of one
--   supplement run add (a password hash, a TOTP secret), and records a
--   warning for every record that was not merged, and for a record joined
--   by id whose email is not the user's. The warnings name the file and line;
--   their codes are <kind>_unknown_user, <kind>_user_ambiguous,
--   <kind>_unsupported, <kind>_duplicate and <kind>_email_differs, kind
--   being password or totp.
-- params: :run_id, :source, :tenant, :now (and the run's options:
--   match_email, totp_issuer)

UPDATE users
SET password_hash = s.password_hash, password_hash_type = s.password_hash_type
FROM supplement_rows s
WHERE s.ingest_run_id = :run_id AND s.kind = 'password' AND s.status = 'merged' AND users.id = s.user_id;

INSERT INTO totp_secrets (user_id, secret, issuer, user_label, source, ingest_run_id, row_number)
SELECT s.user_id, s.totp_secret,
       coalesce(s.totp_issuer, (SELECT json_extract(options, '$.totp_issuer') FROM ingest_runs WHERE id = :run_id)),
       s.totp_user, :source, :run_id, s.row_number
FROM supplement_rows s
WHERE s.ingest_run_id = :run_id AND s.kind = 'totp' AND s.status = 'merged'
ON CONFLICT (user_id, secret) DO NOTHING;

INSERT INTO warnings (ingest_run_id, source, source_tenant, code, message, entity, source_id, file, row_number, context, created_at)
SELECT :run_id, :source, :tenant,
       s.kind || CASE s.status WHEN 'not_found' THEN '_unknown_user' WHEN 'ambiguous' THEN '_user_ambiguous'
                               WHEN 'unsupported' THEN '_unsupported' ELSE '_duplicate' END,
       CASE s.kind WHEN 'password' THEN 'password hash' ELSE 'TOTP secret' END || ' for '
       || coalesce(s.source_user_id || coalesce(' (' || s.email || ')', ''), s.email, 'no user')
       || ' is not merged: '
       || CASE s.status
            WHEN 'not_found' THEN
                 CASE WHEN s.source_user_id IS NULL AND NOT m.match_email
                           THEN 'it names its user by email only, and joining by email was not asked for'
                      WHEN s.source_user_id IS NULL THEN 'no staged user has this email'
                      WHEN s.email IS NULL THEN 'no staged user has this id'
                      WHEN m.match_email THEN 'no staged user has this id or this email'
                      ELSE 'no staged user has this id (joining by email was not asked for)' END
            WHEN 'ambiguous' THEN 'several staged users have this ' || CASE s.matched_by WHEN 'email' THEN 'email' ELSE 'id' END
                 || ', so it is not guessed whose it is'
            WHEN 'unsupported' THEN s.problem
            ELSE CASE WHEN EXISTS (SELECT 1 FROM supplement_rows l
                                   WHERE l.ingest_run_id = :run_id AND l.user_id = s.user_id AND l.id > s.id)
                      THEN 'a later line of the file gives the same user one, and the last is kept'
                      WHEN s.kind = 'password' THEN 'the user has a password from its own source, which is kept'
                      ELSE 'the user has another TOTP secret already, which is kept (WorkOS takes one)' END
          END,
       s.kind, coalesce(s.source_user_id, s.email), s.file, s.row_number,
       json_object('status', s.status, 'matched_by', s.matched_by), :now
FROM supplement_rows s
JOIN (SELECT json_extract(options, '$.match_email') AS match_email FROM ingest_runs WHERE id = :run_id) m
WHERE s.ingest_run_id = :run_id AND s.status <> 'merged';

INSERT INTO warnings (ingest_run_id, source, source_tenant, code, message, entity, source_id, file, row_number, context, created_at)
SELECT :run_id, :source, :tenant, s.kind || '_email_differs',
       CASE s.kind WHEN 'password' THEN 'password hash' ELSE 'TOTP secret' END || ' for ' || s.source_user_id
       || ' is merged by its id, but the file gives the email ' || s.email || ' and the user has '
       || coalesce(u.email, 'none') || ': is the file from this tenant?',
       s.kind, s.source_user_id, s.file, s.row_number, json_object('status', s.status, 'user_email', u.email), :now
FROM supplement_rows s JOIN users u ON u.id = s.user_id
WHERE s.ingest_run_id = :run_id AND s.status = 'merged' AND s.matched_by = 'source_id'
  AND s.email IS NOT NULL AND s.email IS NOT u.email;
