-- name: userBound
-- description: What the progress of the per-user pass counts towards, an
--   upper bound of the users userRows writes: the greatest staged user id.
--   Ingest gives ids in staging order, one per user, so it is the number of
--   users staged but for the gaps of rows removed; userRows leaves out the
--   missing and excluded users, and the progress ends at what it wrote. It
--   is read from the end of the primary key, where a count would read an
--   index of every user.
SELECT coalesce(max(id), 0) FROM users;
