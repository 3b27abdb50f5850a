-- name: userCount
-- description: How many users are staged, read from the users_emit index,
--   which is what the progress of the per-user pass counts towards. userRows
--   writes at most that many (it leaves out missing and excluded users);
--   the progress ends at what it wrote.
SELECT count(*) FROM users INDEXED BY users_emit;
