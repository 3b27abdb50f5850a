package checks

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"modernc.org/sqlite"

	"github.com/mig-tools/mig/passhash"
)

// The rules call a few Go functions where SQL cannot say what a valid value
// is. They are registered with the sqlite driver when this package is
// loaded, which is before main runs, so every connection the process opens
// has them. `mig sql` in a process that does not import checks does not.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("mig_email_problem", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		s, ok := text(args[0])
		if !ok {
			return nil, nil
		}
		return nullIfEmpty(EmailProblem(s)), nil
	})
	sqlite.MustRegisterDeterministicScalarFunction("mig_metadata_problem", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		s, ok := text(args[0])
		if !ok {
			return nil, nil
		}
		return nullIfEmpty(MetadataProblem(s)), nil
	})
	// The reserved keys of a metadata object as a JSON array, or NULL.
	sqlite.MustRegisterDeterministicScalarFunction("mig_metadata_reserved_keys", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
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
	sqlite.MustRegisterDeterministicScalarFunction("mig_edge_space", 5, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		f := make([]string, len(args))
		for i, a := range args {
			f[i], _ = text(a)
		}
		return nullIfEmpty(EdgeSpace(f...)), nil
	})
	sqlite.MustRegisterDeterministicScalarFunction("mig_printable_ascii", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		s, ok := text(args[0])
		if !ok {
			return nil, nil
		}
		if printableASCII(s) {
			return int64(1), nil
		}
		return int64(0), nil
	})
	sqlite.MustRegisterDeterministicScalarFunction("mig_password_hash_problem", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
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

// EmailProblem says why s is not an address WorkOS takes, or "" when it is.
// It accepts a reasonable subset of RFC 5322: a dot-atom local part of
// ASCII characters (no quoted strings, no comments) and a domain of at least
// two dot-separated labels of letters, digits and hyphens, where letters may
// be any script (IDN domains, as typed or as xn-- punycode). Domain literals
// such as [192.0.2.1] are refused.
func EmailProblem(s string) string {
	if s == "" {
		return "empty"
	}
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return "no @"
	}
	local, domain := s[:at], s[at+1:]
	switch {
	case local == "":
		return "nothing before the @"
	case domain == "":
		return "nothing after the @"
	case len(local) > 64:
		return fmt.Sprintf("the part before the @ is %d bytes; at most 64", len(local))
	case utf8.RuneCountInString(s) > 254:
		return "longer than 254 characters"
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return "a dot at the start or end of the local part, or two in a row"
	}
	for _, r := range local {
		if !atext(r) && r != '.' {
			return fmt.Sprintf("character %q is not allowed before the @", r)
		}
	}
	if strings.HasPrefix(domain, "[") {
		return "IP-address domains are not accepted"
	}
	labels := strings.Split(strings.TrimSuffix(domain, "."), ".")
	if len(labels) < 2 {
		return "the domain has no dot"
	}
	if utf8.RuneCountInString(domain) > 253 {
		return "the domain is longer than 253 characters"
	}
	for _, l := range labels {
		if l == "" {
			return "an empty label in the domain (two dots in a row)"
		}
		if utf8.RuneCountInString(l) > 63 {
			return "a domain label is longer than 63 characters"
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "a domain label starts or ends with a hyphen"
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Mc, r) {
				return fmt.Sprintf("character %q is not allowed in the domain", r)
			}
		}
	}
	tld := labels[len(labels)-1]
	if strings.IndexFunc(tld, func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
		return "the top-level domain is all digits"
	}
	return ""
}

// atext is RFC 5322's set of characters allowed in an atom.
func atext(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return r < utf8.RuneSelf && strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)
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
