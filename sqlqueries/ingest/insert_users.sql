-- name: insert_users
-- description: The first-ingest form of upsert_user.sql: a batch of
--   users from the users feed, all new.
-- binds: positional, by the Go code that prepares it

INSERT INTO users (id, source, source_tenant, source_id, ingest_run_id, first_run_id, last_seen_run_id, row_number,
    email_raw, email, first_name, last_name, email_verified, password, password_hash, password_hash_type,
    source_hasher, source_password_digest, external_id, username, metadata, emails, phones, raw, content_hash,
    change, changed_run_id)
SELECT id, ?1, ?2, source_id, ?3, ?3, ?3, row_number,
    email_raw, email, first_name, last_name, email_verified, password, password_hash, password_hash_type,
    source_hasher, source_password_digest, external_id, username, metadata, emails, phones, raw, content_hash,
    'new', ?3
FROM temp.users_feed;
