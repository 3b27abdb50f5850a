-- Files that only add to users already staged (`mig ingest auth0-passwords`,
-- `mig ingest totp`): the password hashes Auth0 support exports, TOTP
-- secrets from any source. One row per record read, with whom it was
-- joined to and why it was not merged when it was not, so that every
-- record is accounted for (`select status, count(*) from supplement_rows`).
--
-- A merged password stays here after it reached users: a later ingest of
-- the users' source, which knows no password, gives it to the user again
-- instead of emptying it (ingest.Run.AddUser).

-- +goose Up
CREATE TABLE supplement_rows (
    id                 INTEGER PRIMARY KEY,
    ingest_run_id      INTEGER NOT NULL REFERENCES ingest_runs(id) ON DELETE CASCADE,
    kind               TEXT    NOT NULL CHECK (kind IN ('password', 'totp')),
    file               TEXT    NOT NULL,
    row_number         INTEGER NOT NULL,
    source_user_id     TEXT,                -- the user's id in its source, as the file names it
    email              TEXT,                -- trimmed and lower-cased
    password_hash      TEXT,
    password_hash_type TEXT,
    totp_secret        TEXT,
    totp_issuer        TEXT,
    totp_user          TEXT,
    problem            TEXT,                -- why the record cannot be merged, whoever it belongs to
    user_id            INTEGER REFERENCES users(id) ON DELETE SET NULL, -- the staged user it was joined to
    matched_by         TEXT CHECK (matched_by IN ('source_id', 'email')),
    status             TEXT    NOT NULL DEFAULT 'not_found'
        CHECK (status IN ('merged', 'not_found', 'ambiguous', 'unsupported', 'duplicate'))
);
CREATE INDEX supplement_rows_run ON supplement_rows(ingest_run_id, status);
CREATE INDEX supplement_rows_user ON supplement_rows(user_id, kind) WHERE user_id IS NOT NULL;

-- +goose Down
DROP TABLE supplement_rows;
