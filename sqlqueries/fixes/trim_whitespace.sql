-- name: trim_whitespace
-- description: Trims leading and trailing whitespace (spaces, tabs, line
--   breaks, non-breaking spaces, byte-order marks) from email, names,
--   external id and username.
-- table: users
-- order: 10
WITH ws AS (SELECT char(32, 9, 10, 11, 12, 13, 133, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288, 65279) AS c)
SELECT id, 'email_raw' AS column_name, email_raw AS before, trim(email_raw, ws.c) AS after FROM users, ws WHERE email_raw <> trim(email_raw, ws.c)
UNION ALL
SELECT id, 'first_name', first_name, trim(first_name, ws.c) FROM users, ws WHERE first_name <> trim(first_name, ws.c)
UNION ALL
SELECT id, 'last_name', last_name, trim(last_name, ws.c) FROM users, ws WHERE last_name <> trim(last_name, ws.c)
UNION ALL
SELECT id, 'external_id', external_id, trim(external_id, ws.c) FROM users, ws WHERE external_id <> trim(external_id, ws.c)
UNION ALL
SELECT id, 'username', username, trim(username, ws.c) FROM users, ws WHERE username <> trim(username, ws.c);
