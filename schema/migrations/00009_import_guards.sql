-- What the importer reads to keep two people apart. Before a user row may
-- take a WorkOS user it did not create, the importer asks whether another
-- staged user was given that WorkOS user already: a lookup by workos_id,
-- once per adopted user, which without this index scans every import row
-- (a re-import of a million users from a fresh copy would be quadratic).

-- +goose Up
CREATE INDEX import_items_workos_id ON import_items(workos_id) WHERE workos_id IS NOT NULL;

-- +goose Down
DROP INDEX import_items_workos_id;
