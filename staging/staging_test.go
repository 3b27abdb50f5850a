package staging_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

func TestOpenCreatesPrivateFileAndMigrates(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "mig.db")
	db, err := staging.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600: the file holds password hashes", fi.Mode().Perm())
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM sqlite_schema WHERE name IN ('users', 'import_items', 'staged_users', 'org_mapping_resolved')`); err != nil || n != 4 {
		t.Fatalf("schema objects = %d, %v; want 4", n, err)
	}
	var fk int
	db.Get(&fk, `PRAGMA foreign_keys`)
	if fk != 1 {
		t.Fatal("foreign keys are off")
	}
	// Opening again is idempotent: migrations already applied.
	db.Close()
	db2, err := staging.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db2.Close()
}

func TestOpenReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mig.db")
	if _, err := staging.OpenReadOnly(ctx, path); !errors.Is(err, staging.ErrNoDatabase) {
		t.Fatalf("missing file: err = %v, want ErrNoDatabase", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("OpenReadOnly created the file")
	}
	db, err := staging.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := staging.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Exec(`DELETE FROM users`); err == nil {
		t.Fatal("a read-only database accepted a write")
	}
}

func TestInTxRollsBack(t *testing.T) {
	ctx := context.Background()
	db, err := staging.Open(ctx, filepath.Join(t.TempDir(), "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	boom := errors.New("boom")
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.Exec(`INSERT INTO ingest_runs (provider, started_at) VALUES ('x', 'now')`); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	var n int
	db.Get(&n, `SELECT count(*) FROM ingest_runs`)
	if n != 0 {
		t.Fatal("InTx kept the rows of a failed function")
	}
}

// Every inspect query and ingest script must at least run on an empty
// database, so a broken one fails here and not in a user's hands.
func TestEmbeddedSQLRunsOnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	db, err := staging.Open(ctx, filepath.Join(t.TempDir(), "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, dir := range []string{"inspect", "ingest"} {
		qs, err := sqlqueries.Dir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			if q.Get("binds") != "" {
				// A statement with positional arguments is prepared by
				// the ingest run, and its tests run it with real values.
				continue
			}
			err := db.InTx(ctx, func(tx *sqlx.Tx) error {
				script := q.SQL
				if after := q.Get("after"); after != "" {
					// A script that reads the tables others make runs
					// after them, as the ingest run runs them.
					for _, a := range strings.Split(after, ",") {
						script = sqlqueries.MustLoad(strings.TrimSpace(a)).SQL + ";\n" + script
					}
				}
				for _, st := range sqlqueries.Statements(script) {
					rows, err := tx.QueryContext(ctx, st, sql.Named("run_id", 1), sql.Named("source", "clerk"),
						sql.Named("tenant", ""), sql.Named("now", "2026-01-01T00:00:00Z"), sql.Named("org_id", "org_01TEST"),
						sql.Named("kind", "org"), sql.Named("redo_only", 1), sql.Named("redo_known", 0), sql.Named("after_row", 0),
						sql.Named("any_missing", 1))
					if err != nil {
						return err
					}
					rows.Close()
				}
				return errors.New("rollback")
			})
			if err != nil && err.Error() != "rollback" {
				t.Errorf("%s: %v", q.Path, err)
			}
		}
	}
}

// A mig process killed in the middle of a write leaves a hot journal. The
// read-only open (mig sql, mig status) rolls it back first instead of
// failing every query with "attempt to write a readonly database".
func TestOpenReadOnlyAfterCrashedWrite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := staging.Open(ctx, filepath.Join(dir, "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE filler (b BLOB); INSERT INTO filler VALUES (1), (2)`); err != nil {
		t.Fatal(err)
	}
	// A write big enough for its pages to spill to the file with a tiny
	// cache; the files are copied while it is open: a crash, seen from disk.
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.ExecContext(ctx, `PRAGMA cache_size = 10`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`UPDATE filler SET b = zeroblob(10); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
		INSERT INTO filler SELECT randomblob(500) FROM n`); err != nil {
		t.Fatal(err)
	}
	crashed := filepath.Join(t.TempDir(), "mig.db")
	for _, suffix := range []string{"", "-journal"} {
		b, err := os.ReadFile(filepath.Join(dir, "mig.db"+suffix))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(crashed+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ro, err := staging.OpenReadOnly(ctx, crashed)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var n, ones int
	if err := ro.Get(&n, `SELECT count(*) FROM filler`); err != nil || n != 2 {
		t.Fatalf("rows after the crashed write = %d, %v; want the 2 committed before it", n, err)
	}
	ro.Get(&ones, `SELECT count(*) FROM filler WHERE b IN (1, 2)`)
	if ones != 2 {
		t.Fatalf("the committed rows were not restored: %d of 2", ones)
	}
}

// A path that holds no staging database is refused by every open but
// Open, which creates one; nothing is created on the way.
func TestOpenExistingRefusesNoDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "sub", "typo.db")
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{missing, empty} {
		if _, err := staging.OpenExisting(ctx, path); !errors.Is(err, staging.ErrNoDatabase) {
			t.Errorf("OpenExisting(%s): err = %v, want ErrNoDatabase", path, err)
		}
		if _, err := staging.OpenReadOnly(ctx, path); !errors.Is(err, staging.ErrNoDatabase) {
			t.Errorf("OpenReadOnly(%s): err = %v, want ErrNoDatabase", path, err)
		}
	}
	if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
		t.Error("a refused open created the directory")
	}
	if fi, err := os.Stat(empty); err != nil || fi.Size() != 0 {
		t.Error("a refused open changed the empty file")
	}
	// Open makes a staging database of the empty file (a `touch mig.db`).
	db, err := staging.Open(ctx, empty)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = staging.OpenExisting(ctx, empty)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}

// Another tool's SQLite database, or a file that is no database, is not a
// staging database: every open refuses it and leaves it byte-identical.
func TestOpenRefusesForeignFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	other := filepath.Join(dir, "other.db")
	wal := filepath.Join(dir, "wal.db")
	for path, mode := range map[string]string{other: "DELETE", wal: "WAL"} {
		plain, err := sql.Open("sqlite", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := plain.Exec(`PRAGMA journal_mode = ` + mode + `; CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')`); err != nil {
			t.Fatal(err)
		}
		plain.Close()
	}
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("just some text, longer than a database header\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opens := map[string]func(context.Context, string) (*staging.DB, error){
		"Open": staging.Open, "OpenExisting": staging.OpenExisting, "OpenReadOnly": staging.OpenReadOnly,
	}
	for _, path := range []string{other, wal, text, dir} {
		var before []byte
		if path != dir {
			before, _ = os.ReadFile(path)
		}
		for name, open := range opens {
			if db, err := open(ctx, path); !errors.Is(err, staging.ErrNotStaging) {
				t.Errorf("%s(%s): err = %v, want ErrNotStaging", name, filepath.Base(path), err)
				if db != nil {
					db.Close()
				}
			}
		}
		if path != dir {
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Errorf("%s changed", path)
			}
		}
	}
	// Nothing was created next to them (a WAL database's -wal and -shm).
	ents, _ := os.ReadDir(dir)
	if len(ents) != 3 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("files after the opens: %v, want other.db, wal.db, notes.txt", names)
	}
}

// Discard removes a database that Open created, with the directories made
// for it, and nothing else.
func TestDiscardRemovesOnlyWhatOpenCreated(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	fresh := filepath.Join(dir, "a", "b", "mig.db")
	db, err := staging.Open(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Discard(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !os.IsNotExist(err) {
		t.Errorf("Discard left %s behind", filepath.Join(dir, "a"))
	}

	// A database that was there before Open stays.
	existing := filepath.Join(dir, "mig.db")
	db, err = staging.Open(ctx, existing)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = staging.Open(ctx, existing)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Discard(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(existing); err != nil {
		t.Errorf("Discard removed a database that existed before: %v", err)
	}

	// So does a new one into which an ingest was committed meanwhile.
	shared := filepath.Join(dir, "shared.db")
	db, err = staging.Open(ctx, shared)
	if err != nil {
		t.Fatal(err)
	}
	other, err := staging.Open(ctx, shared)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(`INSERT INTO ingest_runs (provider, started_at) VALUES ('clerk', 'now')`); err != nil {
		t.Fatal(err)
	}
	other.Close()
	if err := db.Discard(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(shared); err != nil {
		t.Errorf("Discard removed a database holding an ingest: %v", err)
	}
}

// The read-only connection runs with query_only on, and a refused
// statement's error says what was refused.
func TestOpenReadOnlyRefusal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mig.db")
	db, err := staging.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := staging.OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var q int
	if err := ro.Get(&q, `PRAGMA query_only`); err != nil || q != 1 {
		t.Fatalf("query_only = %d, %v; want 1", q, err)
	}
	_, err = ro.Exec(`DELETE FROM users`)
	err = ro.Refused(err)
	var refused *staging.RefusedError
	if !errors.As(err, &refused) || !errors.Is(err, staging.ErrReadOnly) || refused.What != "DELETE FROM users" {
		t.Fatalf("err = %v, want a RefusedError for DELETE FROM users", err)
	}
	// A plain error is not a refusal.
	_, err = ro.Exec(`SELECT * FROM no_such_table`)
	if err = ro.Refused(err); errors.Is(err, staging.ErrReadOnly) {
		t.Fatalf("err = %v, is not a refusal", err)
	}
}
