package staging

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// What a path holds, as far as mig is concerned.
type content int

const (
	noFile    content = iota // nothing at the path
	blank                    // an empty file, or a database without tables
	stagingDB                // a mig staging database
)

// markTables are the tables that make a database a mig staging database:
// goose's version table and the first table of mig's first migration.
// Every staging database has had both since its first Open, so databases
// made by any earlier version of mig are recognised.
var markTables = []string{"goose_db_version", "ingest_runs"}

// identify says what is at path: nothing, nothing yet (an empty file or a
// database without tables, which ingest may fill), or a staging database. A
// file that holds anything else is ErrNotStaging; with blankOK false,
// nothing or nothing yet is ErrNoDatabase. It never changes the file, except
// that the first read of a database rolls back the write of a process that
// crashed in the middle of it, as any SQLite tool would.
func identify(ctx context.Context, path string, blankOK bool) (content, error) {
	c, err := look(ctx, path)
	if err != nil {
		return c, err
	}
	if c != stagingDB && !blankOK {
		if c == blank {
			return c, fmt.Errorf("%w at %s (the file holds no tables)", ErrNoDatabase, path)
		}
		return c, fmt.Errorf("%w at %s", ErrNoDatabase, path)
	}
	return c, nil
}

func look(ctx context.Context, path string) (content, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return noFile, nil
	case err != nil:
		return noFile, err
	case fi.IsDir():
		return noFile, fmt.Errorf("%s is %w: it is a directory", path, ErrNotStaging)
	case fi.Size() == 0:
		return blank, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return noFile, err
	}
	head := make([]byte, 20)
	_, err = io.ReadFull(f, head)
	f.Close()
	if err != nil || !bytes.Equal(head[:16], []byte("SQLite format 3\x00")) {
		return noFile, fmt.Errorf("%s is %w: it is not an SQLite database", path, ErrNotStaging)
	}
	recoverCrashedWrite(ctx, path)
	dsn := "file:" + escapePath(path) + "?mode=ro&" + busyPragma().Encode()
	if head[18] == 2 || head[19] == 2 {
		// A database in WAL mode is no mig database in use: mig's writers
		// keep a rollback journal. Reading it as immutable creates no -wal
		// and -shm files next to another tool's database.
		dsn += "&immutable=1"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return noFile, fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		var se *sqlite.Error
		if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_NOTADB {
			return noFile, fmt.Errorf("%s is %w: %v", path, ErrNotStaging, err)
		}
		return noFile, fmt.Errorf("open %s: %w", path, err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return noFile, err
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		return noFile, fmt.Errorf("open %s: %w", path, err)
	}
	mig := true
	for _, t := range markTables {
		mig = mig && slices.Contains(tables, t)
	}
	switch {
	case mig:
		return stagingDB, nil
	case len(tables) == 0 || (len(tables) == 1 && tables[0] == markTables[0]):
		// A database whose first migration never committed holds at most
		// goose's empty version table.
		return blank, nil
	}
	if len(tables) > 5 {
		tables = append(tables[:5], "...")
	}
	return noFile, fmt.Errorf("%s is %w: it is an SQLite database with the tables %s", path, ErrNotStaging, strings.Join(tables, ", "))
}
