-- name: upsert_users_delta
-- description: A batch of users of a re-ingest: a new user is inserted,
--   a user whose content hash changed (or who was missing and is back) is
--   updated in place, and a user that did not change is looked up and not
--   written at all, so that a re-ingest where few users changed writes
--   few pages. Its row keeps the run and line that last wrote it
--   (ingest_run_id, row_number) and the change that run made (new,
--   changed); the users of this run are in temp.users_seen. Returns the
--   rows it wrote: the run counts new and changed users from them.
-- binds: positional, by the Go code that prepares it
-- params: ?1 source, ?2 tenant, ?3 run id

INSERT INTO users (source, source_tenant, source_id, ingest_run_id, first_run_id, last_seen_run_id, row_number,
    email_raw, email, first_name, last_name, email_verified, password, password_hash, password_hash_type,
    source_hasher, source_password_digest, external_id, username, metadata, emails, phones, raw, content_hash,
    change, changed_run_id)
SELECT ?1, ?2, source_id, ?3, ?3, ?3, row_number,
    email_raw, email, first_name, last_name, email_verified, password, password_hash, password_hash_type,
    source_hasher, source_password_digest, external_id, username, metadata, emails, phones, raw, content_hash,
    'new', ?3
FROM temp.users_delta_feed WHERE true
ON CONFLICT (source, source_tenant, source_id) DO UPDATE SET
    change = CASE WHEN users.content_hash = excluded.content_hash THEN 'unchanged' ELSE 'changed' END,
    changed_run_id = CASE WHEN users.content_hash = excluded.content_hash THEN users.changed_run_id ELSE excluded.ingest_run_id END,
    ingest_run_id = excluded.ingest_run_id,
    last_seen_run_id = excluded.last_seen_run_id,
    row_number = excluded.row_number,
    email_raw = excluded.email_raw, email = excluded.email,
    first_name = excluded.first_name, last_name = excluded.last_name,
    email_verified = excluded.email_verified, password = excluded.password,
    password_hash = excluded.password_hash, password_hash_type = excluded.password_hash_type,
    source_hasher = excluded.source_hasher, source_password_digest = excluded.source_password_digest,
    external_id = excluded.external_id, username = excluded.username, metadata = excluded.metadata,
    emails = excluded.emails, phones = excluded.phones, raw = excluded.raw, content_hash = excluded.content_hash
WHERE users.content_hash IS NOT excluded.content_hash OR users.change = 'missing'
RETURNING id, change, source_id;
