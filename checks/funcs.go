package checks

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"modernc.org/sqlite"

	"github.com/mig-tools/mig/accept"
	"github.com/mig-tools/mig/passhash"
)

// RegisterSQLFunctions makes the Go functions that mig's SQL calls where
// SQL cannot say what a valid value is (mig_email_problem,
// mig_password_hash_problem, ...) available on every connection to a
// staging database that the process opens afterwards: the sqlite driver
// registers functions for the whole process, and adds them to each new
// connection. A connection opened before has none of them. mig registers
// them when it starts, before any command opens a database, so that mig
// check, mig sql and every other command have them; a program or test
// that runs the rules calls it before it opens the database. Calling it
// again does nothing.
func RegisterSQLFunctions() { registerOnce.Do(registerFunctions) }

var registerOnce sync.Once

// unregistered adds the cause to SQLite's error for a mig_ function the
// connection does not have.
func unregistered(err error) error {
	if err != nil && strings.Contains(err.Error(), "no such function: mig_") {
		return fmt.Errorf("%w (the database was opened before checks.RegisterSQLFunctions was called)", err)
	}
	return err
}

func registerFunctions() {
	// Why WorkOS would give an address the verdict named (accept.Email),
	// or NULL when its verdict is another: one rule per verdict, each with
	// its severity in its header.
	register("mig_email_problem", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		s, ok := text(args[0])
		name, _ := text(args[1])
		want, known := accept.ParseVerdict(name)
		if !known {
			return nil, fmt.Errorf("mig_email_problem: verdict %q is not ok, unknown or rejected", name)
		}
		if !ok {
			return nil, nil
		}
		if v, reason := accept.Email(s); v == want && v != accept.OK {
			return reason, nil
		}
		return nil, nil
	})
	register("mig_metadata_problem", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		s, ok := text(args[0])
		if !ok {
			return nil, nil
		}
		return nullIfEmpty(MetadataProblem(s)), nil
	})
	// The reserved keys of a metadata object as a JSON array, or NULL.
	register("mig_metadata_reserved_keys", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		s, ok := text(args[0])
		if !ok {
			return nil, nil
		}
		keys := ReservedMetadataKeys(s)
		if len(keys) == 0 {
			return nil, nil
		}
		b, err := json.Marshal(keys)
		return string(b), err
	})
	register("mig_edge_space", 5, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		f := make([]string, len(args))
		for i, a := range args {
			f[i], _ = text(a)
		}
		return nullIfEmpty(EdgeSpace(f...)), nil
	})
	register("mig_control_characters", 5, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		f := make([]string, len(args))
		for i, a := range args {
			f[i], _ = text(a)
		}
		return nullIfEmpty(ControlCharacters(f...)), nil
	})
	register("mig_metadata_control_characters", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		s, ok := text(args[0])
		if !ok {
			return nil, nil
		}
		return nullIfEmpty(MetadataControlCharacters(s)), nil
	})
	register("mig_name_too_long", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		first, _ := text(args[0])
		last, _ := text(args[1])
		return nullIfEmpty(NameTooLong(first, last)), nil
	})
	register("mig_printable_ascii", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		s, ok := text(args[0])
		if !ok {
			return nil, nil
		}
		if printableASCII(s) {
			return int64(1), nil
		}
		return int64(0), nil
	})
	register("mig_password_hash_problem", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		typ, ok1 := text(args[0])
		hash, ok2 := text(args[1])
		if !ok1 || !ok2 {
			return nil, nil
		}
		if err := passhash.Validate(typ, hash); err != nil {
			return err.Error(), nil
		}
		return nil, nil
	})
}

// register adds a deterministic function of n arguments to every
// connection. Text arguments reach fn whole: by default the driver copies a
// text argument only up to its first NUL byte, which would hide the very
// NUL bytes that rules look for (control_characters, email_syntax,
// external_id_non_ascii). They are views of SQLite's memory, valid only
// while fn runs (the driver's VolatileArgs): fn must not keep them, and
// what it returns is copied to SQLite before the next row.
func register(name string, n int32, fn func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error)) {
	sqlite.MustRegisterFunction(name, &sqlite.FunctionImpl{NArgs: n, Deterministic: true, VolatileArgs: true, Scalar: fn})
}

func text(v driver.Value) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case []byte:
		return string(t), true
	case nil:
		return "", false
	default:
		return fmt.Sprint(t), true
	}
}

func nullIfEmpty(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}

// isSpace is whitespace as Go's strings.TrimSpace sees it, plus the
// byte-order mark that spreadsheet exports leave at the start of a field.
func isSpace(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }

// EdgeSpace names the fields (in order: email, first_name, last_name,
// external_id, username) that start or end with whitespace, comma-separated,
// or "" when none does.
func EdgeSpace(fields ...string) string {
	names := []string{"email", "first_name", "last_name", "external_id", "username"}
	var out []string
	for i, f := range fields {
		if f == "" || i >= len(names) {
			continue
		}
		first, _ := utf8.DecodeRuneInString(f)
		last, _ := utf8.DecodeLastRuneInString(f)
		if isSpace(first) || isSpace(last) {
			out = append(out, names[i])
		}
	}
	return strings.Join(out, ", ")
}

// printableASCII reports whether s holds only characters from space to ~.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
