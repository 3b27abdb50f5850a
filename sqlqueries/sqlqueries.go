// Package sqlqueries embeds mig's SQL files: validation rules (checks/),
// the statements that run them and the fixes (checkrun/), safe fixes
// (fixes/), package emitters (emit/), ingest steps (ingest/), inspection
// queries (inspect/), importer queries (importer/), the command line's own
// (cmd/) and the staging database's bookkeeping (staging/). Each file starts with a header
// of "-- key: value" lines that the stages and the docs read:
//
//	-- name: email_duplicate
//	-- severity: error
//	-- description: Two staged users share a normalised email.
package sqlqueries

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed */*.sql
var files embed.FS

// Query is one .sql file with its header.
type Query struct {
	Path   string            // e.g. "checks/email_duplicate.sql"
	Name   string            // the "name" header, or the file's base name without .sql
	Header map[string]string // every header key, lower-cased
	SQL    string            // the whole file, header comments included
}

// Get returns the header value for key ("" when absent).
func (q Query) Get(key string) string { return q.Header[key] }

// Fill returns the query's SQL with every {{key}} replaced by vals[key],
// for the few statements that wrap another query (a check rule, a fix) or
// name a table and column only the caller knows. The values are spliced as
// they are: they must be SQL that mig wrote, or names checked against the
// schema, never input. A placeholder left without a value, a value whose
// placeholder is missing, or a placeholder in a comment (a query spliced
// there would leave the comment on its second line) is a mistake in mig
// and panics.
func (q Query) Fill(vals map[string]string) string {
	s := q.SQL
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") && strings.Contains(line, "{{") {
			panic(fmt.Sprintf("sqlqueries %s: a placeholder in a comment: %s", q.Path, line))
		}
	}
	for k, v := range vals {
		ph := "{{" + k + "}}"
		if !strings.Contains(s, ph) {
			panic(fmt.Sprintf("sqlqueries %s: no %s to fill", q.Path, ph))
		}
		s = strings.ReplaceAll(s, ph, v)
	}
	if i := strings.Index(s, "{{"); i >= 0 {
		end := strings.Index(s[i:], "}}")
		if end < 0 {
			end = len(s) - i - 2
		}
		panic(fmt.Sprintf("sqlqueries %s: %s has no value", q.Path, s[i:i+end+2]))
	}
	return s
}

// FS returns the embedded files, for callers that want to walk them.
func FS() fs.FS { return files }

// Dir returns every query in one folder (e.g. "checks"), sorted by name.
func Dir(dir string) ([]Query, error) {
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlqueries %s: %w", dir, err)
	}
	var qs []Query
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		q, err := Load(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		qs = append(qs, q)
	}
	sort.Slice(qs, func(i, j int) bool { return qs[i].Name < qs[j].Name })
	return qs, nil
}

// Load reads one embedded query by its path, e.g. "ingest/org_mapping.sql".
func Load(p string) (Query, error) {
	b, err := files.ReadFile(p)
	if err != nil {
		return Query{}, fmt.Errorf("sqlqueries: %w", err)
	}
	return Parse(p, string(b)), nil
}

// MustLoad is Load for queries the program cannot run without; a missing
// file is a build mistake that the tests catch.
func MustLoad(p string) Query {
	q, err := Load(p)
	if err != nil {
		panic(err)
	}
	return q
}

// Parse reads the header of a query text. The header is the run of leading
// "-- key: value" comment lines; a "-- " line without a key continues the
// previous value, so long descriptions can wrap.
func Parse(p, text string) Query {
	q := Query{Path: p, Header: map[string]string{}, SQL: text}
	sc := bufio.NewScanner(strings.NewReader(text))
	last := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "--") {
			if line == "" {
				continue
			}
			break
		}
		body := strings.TrimSpace(strings.TrimPrefix(line, "--"))
		if k, v, ok := strings.Cut(body, ":"); ok && isKey(k) {
			last = strings.ToLower(strings.TrimSpace(k))
			q.Header[last] = strings.TrimSpace(v)
			continue
		}
		if last != "" && body != "" {
			q.Header[last] += " " + body
		}
	}
	q.Name = q.Header["name"]
	if q.Name == "" {
		q.Name = strings.TrimSuffix(path.Base(p), ".sql")
	}
	return q
}

func isKey(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Statements splits a script into statements at semicolons outside
// quotes and comments, dropping the comments. Trigger bodies are not
// supported (mig's scripts have none).
func Statements(script string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if st := strings.TrimSpace(b.String()); st != "" && st != ";" {
			out = append(out, st)
		}
		b.Reset()
	}
	for i := 0; i < len(script); i++ {
		c := script[i]
		switch {
		case c == '\'' || c == '"':
			// A quoted string or identifier; a doubled quote escapes itself.
			j := i + 1
			for j < len(script) {
				if script[j] == c {
					if j+1 < len(script) && script[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			b.WriteString(script[i:min(j+1, len(script))])
			i = j
		case c == '-' && i+1 < len(script) && script[i+1] == '-':
			for i < len(script) && script[i] != '\n' {
				i++
			}
			b.WriteByte('\n')
		case c == '/' && i+1 < len(script) && script[i+1] == '*':
			end := strings.Index(script[i+2:], "*/")
			if end < 0 {
				i = len(script)
			} else {
				i += end + 3
			}
			b.WriteByte(' ')
		case c == ';':
			b.WriteByte(';')
			flush()
		default:
			b.WriteByte(c)
		}
	}
	flush()
	return out
}
