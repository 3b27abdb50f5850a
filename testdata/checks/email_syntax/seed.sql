-- What accept.Email rejects is an error. Not found here: plain, plus-tagged,
-- punycode and apostrophe addresses (OK), and the valid addresses whose
-- acceptance by WorkOS is unknown (email_syntax_unknown's: a non-ASCII local
-- part as in issue 11, an IDN domain, a quoted local part, an IP literal).
-- Found: two @, no domain dot, double dot, leading dot, hyphen label, space,
-- a quote inside an unquoted local part, a bracketed domain that is no IP
-- address, a numeric TLD, no @, a NUL byte, edge whitespace (the address is
-- judged as it is sent: as staged, not trimmed), an invisible character.
INSERT INTO seed_users (source_id, row_number, email_raw) VALUES
  ('ok_plain', 2, 'ada@example.com'),
  ('ok_plus', 3, 'Ada+tag@Mail.example.co.uk'),
  ('ok_puny', 4, 'ada@xn--bcher-kva.example'),
  ('ok_apostrophe', 5, 'o''brien@example.com'),
  ('unknown_local_utf8', 6, 'zoë.1@example.com'),
  ('unknown_idn', 7, 'ada@bücher.example'),
  ('unknown_quoted', 8, '"ada lovelace"@example.com'),
  ('unknown_literal', 9, 'ada@[192.0.2.1]'),
  ('bad_two_at', 10, 'ada@home@example.com'),
  ('bad_no_dot', 11, 'ada@localhost'),
  ('bad_double_dot', 12, 'ada..lovelace@example.com'),
  ('bad_leading_dot', 13, '.ada@example.com'),
  ('bad_hyphen', 14, 'ada@-example.com'),
  ('bad_space', 15, 'ada lovelace@example.com'),
  ('bad_quote_inside', 16, 'a"da"@example.com'),
  ('bad_literal', 17, 'ada@[example.com]'),
  ('bad_numeric_tld', 18, 'ada@example.123'),
  ('bad_no_at', 19, 'ada.example.com'),
  ('bad_nul', 20, 'ada' || char(0) || '@example.com'),
  ('bad_edge_space', 21, ' ada@example.com'),
  ('bad_zero_width', 22, 'ada' || char(8203) || '@example.com');
