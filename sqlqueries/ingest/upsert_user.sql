-- name: upsert_user
-- description: Inserts a user or, when the source already staged it,
--   updates it in place; a second row with the same source id in one
--   run changes nothing.
-- binds: positional, by the Go code that prepares it

INSERT INTO users (source, source_tenant, source_id, ingest_run_id, first_run_id, last_seen_run_id, row_number,
    email_raw, email, first_name, last_name, email_verified, password, password_hash, password_hash_type,
    source_hasher, source_password_digest, external_id, username, metadata, emails, phones, raw, content_hash,
    change, changed_run_id)
VALUES (?1, ?2, ?3, ?4, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, 'new', ?4)
ON CONFLICT (source, source_tenant, source_id) DO UPDATE SET
    change = CASE WHEN users.content_hash = excluded.content_hash THEN 'unchanged' ELSE 'changed' END,
    changed_run_id = CASE WHEN users.content_hash = excluded.content_hash THEN users.changed_run_id ELSE excluded.ingest_run_id END,
    ingest_run_id = CASE WHEN users.content_hash = excluded.content_hash THEN users.ingest_run_id ELSE excluded.ingest_run_id END,
    last_seen_run_id = excluded.last_seen_run_id,
    row_number = excluded.row_number,
    email_raw = excluded.email_raw, email = excluded.email,
    first_name = excluded.first_name, last_name = excluded.last_name,
    email_verified = excluded.email_verified, password = excluded.password,
    password_hash = excluded.password_hash, password_hash_type = excluded.password_hash_type,
    source_hasher = excluded.source_hasher, source_password_digest = excluded.source_password_digest,
    external_id = excluded.external_id, username = excluded.username, metadata = excluded.metadata,
    emails = excluded.emails, phones = excluded.phones, raw = excluded.raw, content_hash = excluded.content_hash
WHERE users.last_seen_run_id <> excluded.last_seen_run_id;
