-- What a re-ingest needs to pass over the records of a newer export that
-- did not change without decoding them (ingest/digests.go): for the users
-- file and each mapping file of a source, the digest of every record the
-- last run read, in the order of its file, each with what it made (the
-- user's id, the mapping line's user). A set holds the run that wrote it,
-- what its digests cover (context: mig's build, the run's options), and
-- how many records it has; its blocks hold the records, 4,096 a block.
-- A re-ingest reads the blocks as it reads the new file, and trusts a
-- digest only while the set is whole: the triggers below drop a users set
-- when anything but an ingest changes one of the source's users (a check
-- fix, a supplement), and a mapping set when a mapping line changes in
-- place. The users or lines a set names must also be as many as the source
-- has, or the set is not used.

-- +goose Up
CREATE TABLE ingest_digest_sets (
    source        TEXT    NOT NULL,
    source_tenant TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL,  -- users, org_mapping, role_mapping
    ingest_run_id INTEGER NOT NULL,
    context       TEXT    NOT NULL,
    records       INTEGER NOT NULL,
    PRIMARY KEY (source, source_tenant, role)
);

CREATE TABLE ingest_digest_blocks (
    id            INTEGER PRIMARY KEY,
    source        TEXT    NOT NULL,
    source_tenant TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL,
    ingest_run_id INTEGER NOT NULL,
    block         INTEGER NOT NULL,
    records       INTEGER NOT NULL,
    data          BLOB    NOT NULL,
    UNIQUE (source, source_tenant, role, ingest_run_id, block)
);

-- An ingest writes a user with its own run's id; anything else that
-- changes what a user is leaves the run id as it was.
-- +goose StatementBegin
CREATE TRIGGER users_changed_outside_ingest
AFTER UPDATE OF email_raw, email, first_name, last_name, email_verified, password, password_hash, password_hash_type,
    source_hasher, source_password_digest, external_id, username, metadata, emails, phones, raw, content_hash ON users
WHEN NEW.ingest_run_id IS OLD.ingest_run_id
BEGIN
    DELETE FROM ingest_digest_sets WHERE source = NEW.source AND source_tenant = NEW.source_tenant AND role = 'users';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER users_deleted_digests AFTER DELETE ON users
BEGIN
    DELETE FROM ingest_digest_sets WHERE source = OLD.source AND source_tenant = OLD.source_tenant AND role = 'users';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER org_mapping_rows_changed_digests AFTER UPDATE ON org_mapping_rows
BEGIN
    DELETE FROM ingest_digest_sets WHERE source = NEW.source AND source_tenant = NEW.source_tenant AND role = 'org_mapping';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER role_mapping_rows_changed_digests AFTER UPDATE ON role_mapping_rows
BEGIN
    DELETE FROM ingest_digest_sets WHERE source = NEW.source AND source_tenant = NEW.source_tenant AND role = 'role_mapping';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER role_mapping_rows_changed_digests;
DROP TRIGGER org_mapping_rows_changed_digests;
DROP TRIGGER users_deleted_digests;
DROP TRIGGER users_changed_outside_ingest;
DROP TABLE ingest_digest_blocks;
DROP TABLE ingest_digest_sets;
