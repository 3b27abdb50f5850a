-- Valid addresses that WorkOS may or may not take are a warning, not an
-- error (issue 11: zoë.1@example.com was called an error, while the
-- emulator took it and import sent it). Not found here: plain addresses
-- (OK) and what accept.Email rejects (email_syntax's).
INSERT INTO seed_users (source_id, row_number, email_raw) VALUES
  ('ok_plain', 2, 'ada@example.com'),
  ('ok_puny', 3, 'ada@xn--bcher-kva.example'),
  ('unknown_local_utf8', 4, 'zoë.1@example.com'),
  ('unknown_local_cjk', 5, '用户@example.com'),
  ('unknown_idn', 6, 'Ada@Bücher.example'),
  ('unknown_both', 7, 'zoë@bücher.example'),
  ('unknown_quoted', 8, '"ada lovelace"@example.com'),
  ('unknown_literal', 9, 'ada@[192.0.2.1]'),
  ('unknown_literal_v6', 10, 'ada@[IPv6:2001:db8::1]'),
  ('bad_local_space', 11, 'zoë lovelace@example.com'),
  ('bad_two_at', 12, 'zoë@home@example.com');
