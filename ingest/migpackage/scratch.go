package migpackage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/pkgcontract"
	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// Scratch is a staging database of its own for one package, made so that
// validate-package can run mig check's rules on exactly what `mig ingest
// package` would stage, and thrown away after. It is the one place where
// that database and its ingest depart from a kept staging database, each
// for a reason:
//
//   - It lives in a private temporary directory (0700; the database file
//     0600, as every staging database: it holds the package's password
//     hashes and TOTP secrets), which Close removes. The caller defers
//     Close, so an interrupted run (Ctrl-C cancels the context) removes it
//     too.
//   - synchronous OFF and journal_mode MEMORY. Nothing but this process
//     ever opens the file, and a crash leaves nothing worth recovering (the
//     next run starts a new one), so waiting for the disk at commit buys
//     nothing, nor does a journal file. The journal stays, in memory: it
//     holds only the pages the database had before the ingest began (a
//     new database has few), and the ingest needs it to undo a failed
//     statement (a unique index that does not build over repeated user ids
//     is dropped and built again, which journal_mode OFF would leave as a
//     corrupt schema).
//   - The ingest is a source's first into an empty database, so it takes
//     the run's bulk path (users inserted without their indexes, which are
//     built once after the load) and none of the re-ingest machinery
//     (deltas, missing users) applies. The index only mig emit reads
//     (users_emit, a copy of seven columns of every user) is dropped:
//     nothing is emitted from this database.
//   - users.raw (the source row as JSON, for people inspecting the
//     database) is left empty (null): no rule reads it, and it was half of
//     every user's bytes.
//   - It does not digest the files (the digests only tell a later re-ingest
//     of the same files that it has nothing to do), does not load
//     warnings.jsonl and skipped_users.jsonl (what the package's exporter
//     recorded, not findings about the package: every warning and skipped
//     user in the database is then one this ingest found), and does not
//     compare the manifest's counts (the contract check does).
//   - A row it cannot stage does not stop it (see rowSink): it is added
//     to the report (row_not_staged) and passed over, so that the rules
//     still judge every other row; what it cannot read at all (a CSV
//     syntax error, a header without the columns it needs, a manifest it
//     cannot use) it passes over without a word, as the contract check,
//     run beside it, names each of those.
type Scratch struct {
	DB  *staging.DB
	dir string
}

// OpenScratch creates a scratch database in a new private directory under
// parent (os.TempDir() when empty).
func OpenScratch(ctx context.Context, parent string) (*Scratch, error) {
	dir, err := os.MkdirTemp(parent, "mig-validate-")
	if err != nil {
		return nil, fmt.Errorf("scratch database: %w", err)
	}
	s := &Scratch{dir: dir}
	if s.DB, err = staging.Open(ctx, filepath.Join(dir, "scratch.db")); err != nil {
		s.Close()
		return nil, fmt.Errorf("scratch database: %w", err)
	}
	// The database has one connection (staging.Open), so the pragmas hold
	// for every statement that follows. Were the pool to open another, it
	// would only be slower. (The index goes with the schema.)
	for _, p := range []string{`PRAGMA journal_mode = MEMORY`, `PRAGMA synchronous = OFF`, `DROP INDEX IF EXISTS users_emit`} {
		if _, err := s.DB.ExecContext(ctx, p); err != nil {
			s.Close()
			return nil, fmt.Errorf("scratch database: %s: %w", p, err)
		}
	}
	return s, nil
}

// Dir is the private directory of the scratch database.
func (s *Scratch) Dir() string { return s.dir }

// Ingest stages the package of rep.Dir as `mig ingest package` does, less
// what Scratch says it leaves out. Each row it cannot stage is added to rep
// as an error (row_not_staged).
func (s *Scratch) Ingest(ctx context.Context, rep *Report) (ingest.Counts, error) {
	bad := func(le *ingest.LineError) {
		rep.Add(pkgcontract.Issue{Severity: pkgcontract.Error, Code: "row_not_staged", File: rep.rel(le.File), Line: le.Line,
			Field: le.Field, Message: le.Msg + ": the row is not staged, so no rule sees it"})
	}
	return IngestPackage(withRowSink(ctx, bad), s.DB, Options{Dir: rep.Dir, scratch: true})
}

// Close closes the database and removes its directory.
func (s *Scratch) Close() error {
	var err error
	if s.DB != nil {
		err = s.DB.Close()
	}
	return errors.Join(err, os.RemoveAll(s.dir))
}

// AddFindings adds to rep what the ingest recorded about the package's
// rows: each user it skipped (an error: the user would not be imported)
// and each warning, under the warning's code. The first of each code are
// listed, all are counted.
func (s *Scratch) AddFindings(ctx context.Context, rep *Report) error {
	type group struct {
		Code string `db:"code"`
		N    int    `db:"n"`
	}
	var groups []group
	if err := s.DB.SelectContext(ctx, &groups, `SELECT code, count(*) AS n FROM warnings GROUP BY code ORDER BY min(id)`); err != nil {
		return err
	}
	var skipped int
	if err := s.DB.GetContext(ctx, &skipped, `SELECT count(*) FROM skipped_users`); err != nil {
		return err
	}
	if skipped > 0 {
		groups = append(groups, group{Code: "user_skipped", N: skipped})
	}
	for _, g := range groups {
		q, args, sev := warningExamplesSQL, []any{g.Code, rep.max}, pkgcontract.Warning
		if g.Code == "user_skipped" {
			q, args, sev = skippedExamplesSQL, []any{rep.max}, pkgcontract.Error
		}
		var first []struct {
			File    string `db:"file"`
			Line    int    `db:"line"`
			Field   string `db:"field"`
			Message string `db:"message"`
		}
		if err := s.DB.SelectContext(ctx, &first, q, args...); err != nil {
			return fmt.Errorf("ingest findings %s: %w", g.Code, err)
		}
		for _, f := range first {
			rep.Add(pkgcontract.Issue{Severity: sev, Code: g.Code, File: rep.rel(f.File), Line: f.Line, Field: f.Field, Message: f.Message})
		}
		rep.Count(sev, g.Code, g.N-len(first))
	}
	return nil
}

// The statements of this file, kept as named files in sqlqueries.
var (
	warningExamplesSQL = sqlqueries.MustLoad("ingest/package_warning_examples.sql").SQL
	skippedExamplesSQL = sqlqueries.MustLoad("ingest/package_skipped_examples.sql").SQL
)
