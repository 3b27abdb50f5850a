-- An index that holds what the emit queries need of a user besides the
-- wide columns (metadata, raw, emails, phones). Memberships, role
-- assignments and the upload projection read it instead of the user rows
-- (about 70 bytes per user instead of over a kilobyte), and the manifest's
-- facts scan it. Its first column is the row id, so ingest appends to it.

-- +goose Up
CREATE INDEX users_emit ON users(id, change, email, external_id, source_id, source, source_tenant);

-- +goose Down
DROP INDEX users_emit;
