package workosemu

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// sqliteStore keeps every object as a JSON document keyed by kind and ID.
// The emulator answers from memory; this file only has to give the objects
// back after a restart, so one table is enough and the JSON stays readable
// with the sqlite3 shell.
type sqliteStore struct {
	db  *sql.DB
	put *sql.Stmt
	del *sql.Stmt
}

const sqliteSchema = `
CREATE TABLE IF NOT EXISTS objects (
	kind TEXT NOT NULL,
	id   TEXT NOT NULL,
	body TEXT NOT NULL,
	PRIMARY KEY (kind, id)
) WITHOUT ROWID;`

// privateFile creates path with mode 0600 if it does not exist, and narrows
// an existing one (and the WAL and shared-memory files beside it) to 0600:
// the state holds password hashes and TOTP secrets. SQLite gives the -wal
// and -shm files it creates the mode of the database file, so creating that
// one private is what keeps all three private.
func privateFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create state %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create state %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("state %s: %w", p, err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return fmt.Errorf("make state %s private: %w", p, err)
			}
		}
	}
	return nil
}

func openSQLite(path string) (*sqliteStore, error) {
	if err := privateFile(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	// WAL lets `mig emulator` be inspected with the sqlite3 shell while
	// it runs; NORMAL sync is durable across a process crash, which is the
	// restart a rehearsal has to survive; busy_timeout covers that reader.
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "busy_timeout(5000)")
	// The path is escaped so that SQLite opens the very file made private
	// above, even when its name holds a '?' or a '#'.
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", path, err)
	}
	// One connection: writes are serialised by the Server's lock anyway.
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(sqliteSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("create state schema in %s: %w", path, err)
	}
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		db.Close()
		return nil, fmt.Errorf("state %s: journal mode is %q, want wal (err %v)", path, mode, err)
	}
	s := &sqliteStore{db: db}
	if s.put, err = db.Prepare(`INSERT INTO objects(kind, id, body) VALUES(?, ?, ?)
		ON CONFLICT(kind, id) DO UPDATE SET body = excluded.body`); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare state write: %w", err)
	}
	if s.del, err = db.Prepare(`DELETE FROM objects WHERE kind = ? AND id = ?`); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare state delete: %w", err)
	}
	return s, nil
}

func (s *sqliteStore) putObj(kind, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.put.Exec(kind, id, string(b))
	return err
}

// These adapt sqliteStore to persister; the names differ so the prepared
// statements can keep the obvious ones.
func (s *sqliteStore) delObj(kind, id string) error {
	_, err := s.del.Exec(kind, id)
	return err
}

func (s *sqliteStore) load(fn func(kind string, body []byte) error) error {
	// Load in an order that keeps references valid: organizations and
	// users before memberships and factors. IDs sort by creation time.
	order := []string{kindRole, kindPermission, kindOrg, kindUser, kindMembership, kindFactor}
	for _, kind := range order {
		rows, err := s.db.Query(`SELECT body FROM objects WHERE kind = ? ORDER BY id`, kind)
		if err != nil {
			return fmt.Errorf("read %s: %w", kind, err)
		}
		var bodies [][]byte
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				rows.Close()
				return fmt.Errorf("read %s: %w", kind, err)
			}
			bodies = append(bodies, b)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("read %s: %w", kind, err)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read %s: %w", kind, err)
		}
		for _, b := range bodies {
			if err := fn(kind, b); err != nil {
				return fmt.Errorf("load %s: %w", kind, err)
			}
		}
	}
	return nil
}

func (s *sqliteStore) close() error {
	s.put.Close()
	s.del.Close()
	return s.db.Close()
}

// sqlitePersister is the persister view of a sqliteStore.
type sqlitePersister struct{ *sqliteStore }

func (p sqlitePersister) put(kind, id string, v any) error { return p.putObj(kind, id, v) }
func (p sqlitePersister) del(kind, id string) error        { return p.delObj(kind, id) }
