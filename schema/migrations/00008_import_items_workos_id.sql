-- Before a user row may take a WorkOS user it did not create, the importer
-- asks whether another staged user was given that WorkOS user already: a
-- lookup by workos_id, once per adopted user, which without an index scans
-- every import row (a re-import of a million users from a fresh copy would
-- be quadratic).
--
-- Until 2026-11-29 this index and the view of 00009 were one migration,
-- 00009_import_guards; staging renumbers what such a database recorded
-- (see staging/renumber.go).

-- +goose Up
CREATE INDEX import_items_workos_id ON import_items(workos_id) WHERE workos_id IS NOT NULL;

-- +goose Down
DROP INDEX import_items_workos_id;
