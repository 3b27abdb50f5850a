// Package staging opens the SQLite staging database that every stage of mig
// shares, applies the schema migrations, and holds the small helpers the
// stages use to write to it.
package staging

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"modernc.org/sqlite"

	"github.com/mig-tools/mig/schema"
)

// DB is an open staging database.
type DB struct {
	*sqlx.DB
	Path     string
	ReadOnly bool

	// refusals explains what the connections of OpenReadOnly refused.
	refusals *refusals
	// created is set when Open made the file (nothing was at Path), and
	// madeDirs lists the directories it made for it, deepest first: what
	// Discard removes.
	created  bool
	madeDirs []string
}

// ErrNoDatabase is returned when the path holds no staging database (no
// file, or an empty one), so commands other than ingest can say "ingest
// something first" instead of creating an empty database.
var ErrNoDatabase = errors.New("no staging database")

// ErrNotStaging is returned for a file that is something else than a mig
// staging database: another tool's SQLite database, or not a database at
// all. mig neither reads nor adds its tables to it.
var ErrNotStaging = errors.New("not a mig staging database")

// BusyTimeout is how long a connection waits for another process that holds
// the database's lock before it fails with "database is locked". Tests
// shorten it.
var BusyTimeout = 10 * time.Second

// Open opens (creating it if needed, with mode 0600 because it will hold
// password hashes and TOTP secrets) the staging database at path and brings
// its schema up to date. A file that holds something else than a staging
// database is refused with ErrNotStaging and left as it is. Only the
// commands that stage data (ingest) call Open; the others call OpenExisting
// or OpenReadOnly.
//
// The database uses a rollback journal rather than WAL: bulk ingest writes
// every page once instead of twice, and the file stays a single file that any
// SQLite tool opens. There is one connection, so there is one writer and no
// lock contention inside the process.
func Open(ctx context.Context, path string) (*DB, error) {
	if _, err := identify(ctx, path, true); err != nil {
		return nil, err
	}
	created, madeDirs, err := ensureFile(path)
	if err != nil {
		return nil, err
	}
	db, err := open(ctx, path)
	if err != nil {
		if created {
			removeCreated(path, madeDirs)
		}
		return nil, err
	}
	db.created, db.madeDirs = created, madeDirs
	return db, nil
}

// OpenExisting opens the staging database at path for writing, as Open
// does, but refuses with ErrNoDatabase when there is none there: a mistyped
// --db must not create an empty database that a command then works on
// (an import that imports nothing, an empty package).
func OpenExisting(ctx context.Context, path string) (*DB, error) {
	if _, err := identify(ctx, path, false); err != nil {
		return nil, err
	}
	return open(ctx, path)
}

func open(ctx context.Context, path string) (*DB, error) {
	dsn := "file:" + escapePath(path) + "?" + pragmas(false, cacheSize)
	db, err := sqlx.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := migrate(ctx, db.DB); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	// The DSN sized the page cache before a new file had its page size, in
	// pages of the default 4 KiB; at 16 KiB that cache held four times the
	// memory, which showed in a million-user ingest's peak (bench/RESULTS.md).
	// Sized again now, it holds what it says.
	if _, err := db.ExecContext(ctx, `PRAGMA cache_size = `+cacheSize); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &DB{DB: db, Path: path}, nil
}

// OpenReadOnly opens an existing staging database through a connection
// that cannot change any file, for `mig sql` and every other command that
// only reads. It does not migrate. Read-only is a property of the
// connection, not a filter on statements (see readOnlyConnector): a
// statement that would write, attach another file or change the
// connection's settings fails, and DB.Refused says what was refused.
func OpenReadOnly(ctx context.Context, path string) (*DB, error) {
	if _, err := identify(ctx, path, false); err != nil {
		return nil, err
	}
	return openReadOnly(ctx, path, cacheSize)
}

// OpenReader opens one more connection to db's file, for reading beside
// db's own: a stage that reads several parts of one snapshot at once (emit
// writes its package files in parallel) opens one per extra worker. It is
// read-only as OpenReadOnly's is, with half the page cache, so that the
// readers together do not multiply the memory the stage uses.
func (db *DB) OpenReader(ctx context.Context) (*DB, error) {
	return openReadOnly(ctx, db.Path, readerCacheSize)
}

// openReadOnly opens path through a read-only connection with a page cache
// of cache (see pragmas).
func openReadOnly(ctx context.Context, path, cache string) (*DB, error) {
	// Read-only needs the URI form; a plain path with ?mode=ro is ignored.
	dsn := "file:" + escapePath(path) + "?mode=ro&_defensive=1&" + pragmas(true, cache)
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	ref := &refusals{}
	db := sqlx.NewDb(sql.OpenDB(readOnlyConnector{Connector: base, refusals: ref}), "sqlite")
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &DB{DB: db, Path: path, ReadOnly: true, refusals: ref}, nil
}

// Discard closes db and, when Open created its file because nothing was at
// the path, removes the file, its journal and the directories Open made for
// it: a first ingest that failed leaves nothing behind. A database that was
// there before Open is only closed, and so is one into which an ingest was
// committed meanwhile (by another process), or one holding the saved pages
// of an interrupted fetch (a spool with a cursor: one that saved none has
// nothing to go on with), which the same ingest started again continues.
func (db *DB) Discard() error {
	if !db.created {
		return db.Close()
	}
	var runs int
	err := db.GetContext(context.Background(), &runs, `SELECT (SELECT count(*) FROM ingest_runs) + (SELECT count(*) FROM ingest_spool_cursors)`)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil || runs > 0 {
		return err
	}
	return removeCreated(db.Path, db.madeDirs)
}

// removeCreated removes a database file that this process created, its
// journal, and the (empty) directories made for it.
func removeCreated(path string, madeDirs []string) error {
	err := os.Remove(path)
	if rerr := os.Remove(path + "-journal"); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
		err = rerr
	}
	for _, d := range madeDirs {
		if rerr := os.Remove(d); rerr != nil && err == nil {
			err = rerr
		}
	}
	return err
}

// recoverCrashedWrite rolls back the write of a mig process that died in
// the middle of it (killed, or the machine went down), so that inspecting
// the database afterwards works: SQLite undoes such a write from its
// journal the next time the file is read, but a read-only connection may
// not, and every query would fail with "attempt to write a readonly
// database". Rolling back needs write access to the file; without it the
// read-only open goes on and reports that error.
func recoverCrashedWrite(ctx context.Context, path string) {
	if fi, err := os.Stat(path + "-journal"); err != nil || fi.Size() == 0 {
		return
	}
	db, err := sql.Open("sqlite", "file:"+escapePath(path)+"?"+busyPragma().Encode())
	if err != nil {
		return
	}
	defer db.Close()
	// Reading the schema is the first read, which rolls a crashed write
	// back. A journal that belongs to a live writer is left alone: SQLite
	// sees its lock and waits for it instead.
	var n int
	db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&n)
}

// cacheSize is the page cache, in KiB when negative.
const cacheSize = "-32768"

// readerCacheSize is the page cache of an extra reader (OpenReader): half
// the main connection's, because a stage opens several at once.
const readerCacheSize = "-16384"

// busyPragma makes a connection wait for another mig process (an import
// while someone runs mig sql) instead of failing at once with SQLITE_BUSY.
func busyPragma() url.Values {
	return url.Values{"_pragma": {fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds())}}
}

// pragmas are the DSN parameters of every connection mig opens to a
// staging database: one that writes, or one that only reads (readOnly),
// with a page cache of cache.
func pragmas(readOnly bool, cache string) string {
	v := busyPragma()
	// Memberships, roles and TOTP rows must point at staged users and orgs.
	v.Add("_pragma", "foreign_keys(1)")
	// 16 KiB pages for a new database (an existing one keeps its own). A
	// million-user ingest writes gigabytes; with 4 KiB pages each write and
	// each read back is a system call that costs more in a VM than its bytes
	// do. With the file grown ahead (see Grower) a million-user ingest got
	// faster by about a quarter, and check and emit no slower
	// (bench/RESULTS.md).
	v.Add("_pragma", "page_size(16384)")
	// 32 MiB of page cache. SQLite also lets a sort (CREATE INDEX, GROUP BY)
	// hold as much before it spills, so this bounds the memory of a
	// million-user ingest; twice as much was no faster and took twice the
	// memory (bench/RESULTS.md).
	v.Add("_pragma", "cache_size("+cache+")")
	// Temporary tables and the sorts of CREATE INDEX and GROUP BY spill to
	// temporary files (SQLite's default) rather than memory: on a
	// ten-million-user ingest they would otherwise grow the process by
	// gigabytes.
	v.Add("_pragma", "temp_store(FILE)")
	if readOnly {
		// No statement may write, not even to the temporary database.
		v.Add("_pragma", "query_only(1)")
	} else {
		// One fsync per commit is enough for a rollback journal to survive a
		// crash of mig; FULL would add one per commit for power loss only.
		v.Add("_pragma", "synchronous(NORMAL)")
		v.Add("_pragma", "journal_mode(DELETE)")
		// Writers take the lock at BEGIN, so a second writer waits at the start
		// of its transaction instead of failing half-way.
		v.Add("_txlock", "immediate")
	}
	return v.Encode()
}

// escapePath makes a file path safe inside a file: URI.
func escapePath(path string) string {
	u := url.URL{Path: path}
	return u.EscapedPath()
}

// ensureFile creates the database file with mode 0600 if it does not exist,
// so SQLite never creates it world-readable. It says whether it created the
// file, and which directories it made for it, deepest first.
func ensureFile(path string) (created bool, madeDirs []string, err error) {
	for d := filepath.Dir(path); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		madeDirs = append(madeDirs, d)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, nil, fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, madeDirs, nil
	}
	if err != nil {
		return false, madeDirs, fmt.Errorf("create %s: %w", path, err)
	}
	return true, madeDirs, f.Close()
}

func migrate(ctx context.Context, db *sql.DB) error {
	if err := renumber(ctx, db); err != nil {
		return err
	}
	p, err := goose.NewProvider(database.DialectSQLite3, db, schema.Migrations(),
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(goose.NopLogger()),
		// A change under way on a branch takes its migration's number before
		// it merges, and one merged after it may take the next (00012 was
		// merged while 00011 waited for mig reconcile), so a database made in
		// between lacks a number below its highest: it must still open, and
		// get the lower one when it arrives.
		goose.WithAllowOutofOrder(true),
	)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// InTx runs fn in one transaction: committed when fn returns nil, rolled back
// otherwise, so a failed stage leaves the database as it was.
func (db *DB) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			slog.Debug("rollback failed", "err", rbErr)
		}
		return err
	}
	return tx.Commit()
}

// Now is the timestamp format stored in every *_at column: RFC 3339 in UTC
// with milliseconds, which sorts as text.
func Now() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00") }
