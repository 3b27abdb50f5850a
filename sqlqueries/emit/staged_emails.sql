-- name: stagedEmails
-- description: The users whose address as staged (email_raw, after fixes)
--   is not their normalised email (it has capitals, or was not trimmed), in
--   user order, with that address: the pass over userKeys writes it instead
--   of the normalised one, so that emit never lower-cases an address. It
--   reads the users_check_email_raw partial index, which holds only them,
--   and their rows: a few, where looking each of a million users up would
--   cost the pass most of a second.
SELECT u.id, u.email_raw
FROM users u INDEXED BY users_check_email_raw
WHERE u.email_raw <> u.email
ORDER BY u.id;
