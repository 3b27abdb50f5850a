-- What `mig check` needs beyond the findings table of 00001: an audit trail
-- of every automatic fix, so that `mig check --undo-fixes` can put each value
-- back, and the indexes that keep every rule fast on a million users.

-- +goose Up

-- One row per changed value. before and after have no declared type, so a
-- value keeps its storage class (an email_verified of 'true' restored as
-- text, not as 1). fix_run_id groups the changes of one `mig check --fix`.
CREATE TABLE fixes (
    id          INTEGER PRIMARY KEY,
    fix_run_id  INTEGER NOT NULL,
    fix         TEXT    NOT NULL,   -- the fix's name (sqlqueries/fixes/<name>.sql)
    entity      TEXT    NOT NULL,   -- the table changed: users, totp_secrets, ...
    entity_id   INTEGER NOT NULL,   -- the row id in that table
    column_name TEXT    NOT NULL,
    before,
    after,
    applied_at  TEXT    NOT NULL,
    undone_at   TEXT
);
CREATE INDEX fixes_run ON fixes(fix_run_id, fix, column_name, entity_id);

-- A full scan of users reads every page of the table (about 1.6 KB a user,
-- raw JSON included): close to two seconds for a million users, so a rule
-- that scanned would blow the 10 s budget alone. Instead:
--
-- Rules about rare conditions read a partial index holding only the users
-- that meet the condition. Its WHERE is repeated word for word in the rule,
-- which is how SQLite knows it may use it. Ingest evaluates the WHERE for
-- every row it writes, so these are plain comparisons: even a few function
-- calls per row (trim with a character set, GLOB, instr) measured several
-- seconds per million rows.
CREATE INDEX users_check_email_raw ON users(id) WHERE email_raw <> email;
CREATE INDEX users_check_verified ON users(id) WHERE email_verified NOT IN (0, 1);
CREATE INDEX users_check_hash_incomplete ON users(id)
    WHERE (password_hash IS NULL) <> (password_hash_type IS NULL) OR password_hash = '' OR password_hash_type = '';
CREATE INDEX users_check_no_password ON users(id) WHERE password_hash IS NULL AND password IS NULL;
CREATE INDEX users_check_plaintext ON users(id) WHERE password IS NOT NULL;

-- Rules that must look at every hash or every metadata object read a
-- narrow covering index instead of the table. The id comes first so that
-- ingest appends to these indexes in order rather than inserting at random.
CREATE INDEX users_check_hash ON users(id, password_hash_type, password_hash) WHERE password_hash IS NOT NULL;
CREATE INDEX users_check_metadata ON users(id, metadata);
CREATE INDEX users_check_text ON users(id, email_raw, first_name, last_name, external_id, username);

-- Duplicate emails are found per (email, source) group: with this index the
-- grouping reads the index alone instead of sorting every user.
CREATE INDEX users_email_source ON users(email, source, source_tenant);

-- The org-mapping rules reduce a million mapping lines to the few distinct
-- (org_id, org_external_id, org_name) statements they make by reading this
-- index in order, with no sort.
CREATE INDEX org_mapping_rows_orgs ON org_mapping_rows(org_id, org_external_id, org_name);

-- Role rules group assignments by slug and scope.
CREATE INDEX role_assignments_slug ON role_assignments(role_slug, scope_key);

-- +goose Down
DROP INDEX role_assignments_slug;
DROP INDEX org_mapping_rows_orgs;
DROP INDEX users_email_source;
DROP INDEX users_check_text;
DROP INDEX users_check_metadata;
DROP INDEX users_check_hash;
DROP INDEX users_check_plaintext;
DROP INDEX users_check_no_password;
DROP INDEX users_check_hash_incomplete;
DROP INDEX users_check_verified;
DROP INDEX users_check_email_raw;
DROP TABLE fixes;
