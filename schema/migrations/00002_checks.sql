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

-- Duplicate emails are found per (email, source) group: with this index the
-- grouping reads the index alone instead of sorting every user.
CREATE INDEX users_email_source ON users(email, source, source_tenant);

-- +goose Down
DROP INDEX users_email_source;
DROP TABLE fixes;
