package main

import "testing"

// TestSuggest: every "mig COMMAND" of a message names a database that is
// not the default one, quoted for the shell when it needs it; other words
// after "mig", longer names and commands that name their flags already are
// left alone.
func TestSuggest(t *testing.T) {
	for _, c := range []struct{ db, in, want string }{
		{"mig.db", "mig check", "mig check"},
		{"./mig.db", "mig check", "mig check"},
		{"other.db", "mig check", "mig --db other.db check"},
		{"/data/x.db", "mig import --retry-failed   (see the causes with: mig errors)",
			"mig --db /data/x.db import --retry-failed   (see the causes with: mig --db /data/x.db errors)"},
		{"my db.db", "`mig sql \"select 1\"`", "`mig --db 'my db.db' sql \"select 1\"`"},
		{"it's.db", "(mig check)", `(mig --db 'it'\''s.db' check)`},
		{"x.db", "mig never creates SSO connections; workos-migrate import-package", "mig never creates SSO connections; workos-migrate import-package"},
		{"x.db", "mig --db y.db check", "mig --db y.db check"},
		{"x.db", `wait for "mig ingest clerk" (pid 12) to finish`, `wait for "mig ingest clerk" (pid 12) to finish`},
	} {
		if got := suggest(c.db, c.in); got != c.want {
			t.Errorf("suggest(%q, %q) = %q, want %q", c.db, c.in, got, c.want)
		}
	}
}
