-- One row per `mig check` over every rule. The findings table alone cannot
-- tell a database that was checked and found clean from one never checked,
-- nor findings made before the last ingest from current ones; `mig status`
-- needs both to say what to do next (sqlqueries/inspect/next_step.sql).

-- +goose Up
CREATE TABLE check_runs (
    id            INTEGER PRIMARY KEY,
    ingest_run_id INTEGER,          -- the last ingest run when the check started; NULL: none
    finished_at   TEXT    NOT NULL,
    rules         INTEGER NOT NULL, -- rules run
    errors        INTEGER NOT NULL, -- findings by severity
    warnings      INTEGER NOT NULL,
    infos         INTEGER NOT NULL
);

-- +goose Down
DROP TABLE check_runs;
