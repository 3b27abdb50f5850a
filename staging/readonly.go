package staging

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrReadOnly is what a statement that the read-only connection refuses
// fails with (see OpenReadOnly): `mig sql` and the other inspection
// commands only read.
var ErrReadOnly = errors.New("read-only")

// RefusedError is a statement the read-only connection would not run, with
// what in it was refused.
type RefusedError struct {
	// What names the refused operation, e.g. "DELETE FROM users" or
	// "ATTACH 'e.db'".
	What string
	Err  error
}

func (e *RefusedError) Error() string {
	if e.What == "" {
		return fmt.Sprintf("%v: the statement would write, and this connection only reads the staging database (%v)", ErrReadOnly, e.Err)
	}
	return fmt.Sprintf("%v: %s is refused: this connection only reads the staging database (%v)", ErrReadOnly, e.What, e.Err)
}

// Unwrap lets errors.Is find ErrReadOnly and SQLite's own error.
func (e *RefusedError) Unwrap() []error { return []error{ErrReadOnly, e.Err} }

// Refused explains an error of a statement run on a database opened with
// OpenReadOnly: when the connection refused the statement, it returns a
// *RefusedError naming what was refused; any other error is returned as it
// is.
func (db *DB) Refused(err error) error {
	if err == nil || db.refusals == nil {
		return err
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_AUTH, sqlite3.SQLITE_READONLY:
		return &RefusedError{What: db.refusals.take(), Err: err}
	case sqlite3.SQLITE_ERROR:
		// SQLite reports a refused function as a plain error.
		if strings.Contains(err.Error(), "not authorized") {
			return &RefusedError{What: db.refusals.take(), Err: err}
		}
	}
	return err
}

// readOnlyConnector opens the connections of OpenReadOnly. The DSN already
// opens the file read-only (mode=ro), in defensive mode (no writable_schema,
// no writes through sqlite_dbpage) and with query_only on (every statement
// that would write any database, the temporary one included, fails: those
// are the statements sqlite3_stmt_readonly reports as writers). Connect adds
// two properties of the connection that the DSN cannot set:
//
//   - an authorizer that lets a statement compile only when all it does is
//     read: SELECT, reading tables and views, functions without side
//     effects, transactions (they change no file), and the PRAGMAs that only
//     report. It refuses ATTACH and DETACH, which sqlite3_stmt_readonly
//     counts as read-only, and every PRAGMA that sets something, such as
//     query_only, writable_schema or journal_mode.
//   - sqlite3_limit(SQLITE_LIMIT_ATTACHED, 0), so no other database file can
//     be attached, not even by SQLite itself on behalf of VACUUM INTO.
//
// Each layer alone refuses some of the cases; together every statement that
// could change a file, or create one, is refused by the connection itself,
// whatever path the SQL came by (argument, stdin, named query).
type readOnlyConnector struct {
	driver.Connector
	refusals *refusals
}

func (c readOnlyConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.seal(ctx, dc); err != nil {
		dc.Close()
		return nil, fmt.Errorf("make the connection read-only: %w", err)
	}
	return dc, nil
}

// seal installs the authorizer and the attach limit on a new connection,
// before database/sql can hand it to anyone.
func (c readOnlyConnector) seal(ctx context.Context, dc driver.Conn) error {
	ar, ok := dc.(sqlite.AuthorizerRegisterer)
	if !ok {
		return fmt.Errorf("the sqlite driver has no authorizer (%T)", dc)
	}
	if err := ar.RegisterAuthorizer(c.refusals.authorize); err != nil {
		return err
	}
	// modernc.org/sqlite reaches sqlite3_limit only through a *sql.Conn
	// (sqlite.Limit), so the new connection is lent, for this call only, to
	// a pool of its own that cannot close it.
	lender := sql.OpenDB(lentConnector{dc, c.Driver()})
	defer lender.Close()
	conn, err := lender.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := sqlite.Limit(conn, sqlite3.SQLITE_LIMIT_ATTACHED, 0); err != nil {
		return err
	}
	if n, err := sqlite.Limit(conn, sqlite3.SQLITE_LIMIT_ATTACHED, -1); err != nil || n != 0 {
		return fmt.Errorf("attached databases limit is %d, want 0 (%v)", n, err)
	}
	return nil
}

// lentConnector hands out one existing connection; lentConn keeps it open
// when the borrowing pool closes.
type lentConnector struct {
	conn driver.Conn
	drv  driver.Driver
}

func (l lentConnector) Connect(context.Context) (driver.Conn, error) { return lentConn{l.conn}, nil }
func (l lentConnector) Driver() driver.Driver                        { return l.drv }

type lentConn struct{ driver.Conn }

func (lentConn) Close() error          { return nil }
func (l lentConn) Unwrap() driver.Conn { return l.Conn }

// refusals is the authorizer policy of the read-only connections of one DB,
// and the first operation it refused that no error has explained yet.
type refusals struct {
	mu    sync.Mutex
	first string
}

// take returns, and forgets, the operation refused first since the last
// call.
func (r *refusals) take() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	what := r.first
	r.first = ""
	return what
}

// authorize is the authorizer: see readOnlyConnector. It must not use the
// connection, and keeps no state but the description of a refusal.
func (r *refusals) authorize(action sqlite.AuthorizerActionCode, arg1, arg2, dbName, _ string) sqlite.AuthorizerReturnCode {
	switch action {
	case sqlite.AuthSelect, sqlite.AuthRead, sqlite.AuthRecursive, sqlite.AuthTransaction, sqlite.AuthSavepoint:
		return sqlite.AuthorizerOK
	case sqlite.AuthFunction:
		if !sideEffectFunctions[strings.ToLower(arg2)] {
			return sqlite.AuthorizerOK
		}
	case sqlite.AuthPragma:
		if takesArg, ok := reportingPragmas[strings.ToLower(arg1)]; ok && (arg2 == "" || takesArg) {
			return sqlite.AuthorizerOK
		}
	}
	r.mu.Lock()
	if r.first == "" {
		r.first = describe(action, arg1, arg2, dbName)
	}
	r.mu.Unlock()
	return sqlite.AuthorizerDeny
}

// sideEffectFunctions are SQL functions that do more than compute a value.
// SQLite builds load_extension disabled, and fts3_tokenizer's two-argument
// form needs a flag; they are refused here all the same.
var sideEffectFunctions = map[string]bool{"load_extension": true, "fts3_tokenizer": true}

// reportingPragmas are the PRAGMAs that only report, and whether they take
// an argument (the table, index or schema to report on, or a row limit).
// The others without an argument are left out too: some of them write
// (optimize, wal_checkpoint, incremental_vacuum), and a read-only
// connection has no use for them.
var reportingPragmas = map[string]bool{
	"table_info": true, "table_xinfo": true, "table_list": true,
	"index_list": true, "index_info": true, "index_xinfo": true,
	"foreign_key_list": true, "foreign_key_check": true,
	"integrity_check": true, "quick_check": true,
	"database_list": false, "collation_list": false, "function_list": false,
	"module_list": false, "pragma_list": false, "compile_options": false,
	"application_id": false, "user_version": false, "schema_version": false,
	"data_version": false, "page_size": false, "page_count": false,
	"max_page_count": false, "freelist_count": false, "journal_mode": false,
	"encoding": false, "foreign_keys": false, "auto_vacuum": false,
	"cache_size": false, "busy_timeout": false, "query_only": false,
	"synchronous": false, "temp_store": false, "locking_mode": false,
}

// actionNames are the SQL words of the operations an authorizer is asked
// about, to say what was refused.
var actionNames = map[sqlite.AuthorizerActionCode]string{
	sqlite.AuthCreateIndex: "CREATE INDEX", sqlite.AuthCreateTable: "CREATE TABLE",
	sqlite.AuthCreateTempIndex: "CREATE TEMP INDEX", sqlite.AuthCreateTempTable: "CREATE TEMP TABLE",
	sqlite.AuthCreateTempTrigger: "CREATE TEMP TRIGGER", sqlite.AuthCreateTempView: "CREATE TEMP VIEW",
	sqlite.AuthCreateTrigger: "CREATE TRIGGER", sqlite.AuthCreateView: "CREATE VIEW",
	sqlite.AuthCreateVTable: "CREATE VIRTUAL TABLE", sqlite.AuthDropVTable: "DROP VIRTUAL TABLE",
	sqlite.AuthDropIndex: "DROP INDEX", sqlite.AuthDropTable: "DROP TABLE",
	sqlite.AuthDropTempIndex: "DROP TEMP INDEX", sqlite.AuthDropTempTable: "DROP TEMP TABLE",
	sqlite.AuthDropTempTrigger: "DROP TEMP TRIGGER", sqlite.AuthDropTempView: "DROP TEMP VIEW",
	sqlite.AuthDropTrigger: "DROP TRIGGER", sqlite.AuthDropView: "DROP VIEW",
	sqlite.AuthInsert: "INSERT INTO", sqlite.AuthUpdate: "UPDATE", sqlite.AuthDelete: "DELETE FROM",
	sqlite.AuthAttach: "ATTACH", sqlite.AuthDetach: "DETACH", sqlite.AuthAlterTable: "ALTER TABLE",
	sqlite.AuthReindex: "REINDEX", sqlite.AuthAnalyze: "ANALYZE", sqlite.AuthPragma: "PRAGMA",
}

// describe says in SQL words what an authorizer call was about; the
// arguments mean what SQLite's authorizer documentation says for each
// action.
func describe(action sqlite.AuthorizerActionCode, arg1, arg2, dbName string) string {
	name := actionNames[action]
	if name == "" {
		name = fmt.Sprintf("operation %d", action)
	}
	switch action {
	case sqlite.AuthFunction:
		return "the function " + arg2 + "()"
	case sqlite.AuthPragma:
		if arg2 != "" {
			return fmt.Sprintf("PRAGMA %s = %s", arg1, arg2)
		}
		return "PRAGMA " + arg1
	case sqlite.AuthAttach:
		if arg1 == "" {
			return "ATTACH (of a file name given as a parameter, or by VACUUM)"
		}
		return fmt.Sprintf("ATTACH '%s'", arg1)
	case sqlite.AuthAlterTable:
		arg1 = arg2
	case sqlite.AuthInsert, sqlite.AuthUpdate, sqlite.AuthDelete:
		// SQLite asks about the schema table's row before the CREATE or
		// DROP itself, and stops at the refusal.
		if arg1 == "sqlite_master" || arg1 == "sqlite_temp_master" {
			return "a change of the schema (CREATE, DROP or ALTER)"
		}
	}
	if dbName != "" && dbName != "main" && arg1 != "" && !strings.Contains(name, "TEMP") {
		arg1 = dbName + "." + arg1
	}
	return strings.TrimSpace(name + " " + arg1)
}
