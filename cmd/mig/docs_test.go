package main

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unicode"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// The pages under docs/ that name things of the code are kept true here:
// a table, view, query, exit code or error code the code has and the page
// does not name fails a test that names it, and so does an SQL example of
// the page that no longer runs.

const repoRoot = "../.."

func readPage(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestStagingDBPage wants docs/staging-db.md to name, in backquotes, every
// table, view and trigger of a freshly migrated staging database and every
// query of sqlqueries/inspect, and every ```sql block of it to run on the
// demo's database through mig sql's read-only connection.
func TestStagingDBPage(t *testing.T) {
	ctx := context.Background()
	page := readPage(t, "docs/staging-db.md")

	db, err := staging.Open(ctx, filepath.Join(t.TempDir(), "fresh.db"))
	if err != nil {
		t.Fatal(err)
	}
	var objects []struct {
		Type string `db:"type"`
		Name string `db:"name"`
	}
	err = db.SelectContext(ctx, &objects, `SELECT type, name FROM sqlite_master
		WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY type, name`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(objects) < 30 {
		t.Fatalf("a fresh staging database has %d tables, views and triggers; the query above is wrong", len(objects))
	}
	var missing []string
	for _, o := range objects {
		if !strings.Contains(page, "`"+o.Name+"`") {
			missing = append(missing, o.Type+" "+o.Name)
		}
	}
	qs, err := sqlqueries.Dir("inspect")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if !strings.Contains(page, "`"+q.Name+"`") {
			missing = append(missing, "inspect query "+q.Name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("docs/staging-db.md does not name (in backquotes): %s", strings.Join(missing, ", "))
	}

	blocks := fencedBlocks(page, "sql")
	if len(blocks) == 0 {
		t.Fatal("docs/staging-db.md has no ```sql block")
	}
	dir := t.TempDir()
	var out strings.Builder
	if code := run(ctx, []string{"demo", "--dir", dir}, strings.NewReader(""), io.Discard, &out); code != exitOK {
		t.Fatalf("mig demo exited %d: %s", code, out.String())
	}
	ro, err := staging.OpenReadOnly(ctx, filepath.Join(dir, "mig.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	for _, b := range blocks {
		rows, err := ro.QueryContext(ctx, b.text)
		if err == nil {
			for rows.Next() {
			}
			err = rows.Err()
			rows.Close()
		}
		if err != nil {
			t.Errorf("docs/staging-db.md:%d: the query does not run on the demo's database: %v\n%s", b.line, ro.Refused(err), b.text)
		}
	}
}

// block is the text of a fenced code block and the line of its fence.
type block struct {
	line int
	text string
}

// fencedBlocks returns the ```lang blocks of a Markdown page.
func fencedBlocks(page, lang string) []block {
	var out []block
	var cur *block
	for i, l := range strings.Split(page, "\n") {
		switch {
		case cur == nil && strings.TrimSpace(l) == "```"+lang:
			cur = &block{line: i + 1}
		case cur != nil && strings.TrimSpace(l) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += l + "\n"
		}
	}
	return out
}

// anchors returns the anchors of a Markdown page's headings, as GitHub
// makes them (lower case; letters, digits, '_' and '-' kept; spaces made
// '-'), and the anchors that two headings share.
func anchors(page string) (map[string]int, []string) {
	out := map[string]int{}
	var dup []string
	inCode := false
	for i, l := range strings.Split(page, "\n") {
		if strings.HasPrefix(l, "```") {
			inCode = !inCode
		}
		if inCode || !strings.HasPrefix(l, "#") {
			continue
		}
		h := strings.TrimLeft(l, "#")
		if !strings.HasPrefix(h, " ") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(h)) {
			switch {
			case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		a := b.String()
		if _, ok := out[a]; ok {
			dup = append(dup, a)
		}
		out[a] = i + 1
	}
	return out, dup
}

// TestTroubleshootingPage wants docs/troubleshooting.md to have a section
// for every cause `mig errors` links to (importer.Causes), every exit code,
// every error code the importer writes into import_items, and every error
// code WorkOS's OpenAPI spec documents for the requests the import sends;
// its own links to resolve; and the message each of its "Message:" lines
// quotes to be one mig's code (or a test of it) still has.
func TestTroubleshootingPage(t *testing.T) {
	page := readPage(t, importer.TroubleshootingPage)
	have, dup := anchors(page)
	if len(dup) > 0 {
		t.Errorf("%s: two headings make the anchor %s", importer.TroubleshootingPage, strings.Join(dup, ", "))
	}
	want := func(what string, names []string) {
		t.Helper()
		var missing []string
		for _, n := range names {
			if _, ok := have[n]; !ok {
				missing = append(missing, n)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s has no section (a heading whose anchor is the name) for %s: %s",
				importer.TroubleshootingPage, what, strings.Join(missing, ", "))
		}
	}

	// Every link `mig errors` prints.
	want("the causes of importer/report.go's fixes", importer.Causes())
	for _, c := range importer.Causes() {
		if d := importer.Doc(c, nil, 0, false); d != importer.TroubleshootingPage+"#"+c {
			t.Errorf("importer.Doc(%q) = %q, want the page's section %q", c, d, c)
		}
	}

	// Every exit code of exit.go, and SIGTERM's.
	var exits []string
	for _, n := range exitCodeValues(t) {
		exits = append(exits, "exit-"+strconv.Itoa(n))
	}
	exits = append(exits, "exit-"+strconv.Itoa(128+int(syscall.SIGTERM)))
	want("the exit codes", exits)

	// Every code the importer can write must have advice (and so a
	// section): a code without a key in fixes would be linked to a
	// generic section.
	causes := map[string]bool{}
	for _, c := range importer.Causes() {
		causes[c] = true
	}
	notCauses := func(what string, codes []string) {
		t.Helper()
		var missing []string
		for _, c := range codes {
			if !causes[c] {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s have no entry in importer/report.go's fixes (and so no section of their own): %s", what, strings.Join(missing, ", "))
		}
	}
	notCauses("codes the importer writes", importerCodes(t))
	if codes, spec := workosCodes(t); spec != "" {
		notCauses("WorkOS error codes of "+spec+" for the requests mig import sends", codes)
	} else {
		t.Log("WorkOS's OpenAPI spec not found (set WORKOS_OPENAPI_SPEC); its error codes were not compared")
	}

	// The page's own links.
	for _, m := range regexp.MustCompile(`\]\(#([^)]+)\)`).FindAllStringSubmatch(page, -1) {
		if _, ok := have[m[1]]; !ok {
			t.Errorf("%s links to #%s, which no heading makes", importer.TroubleshootingPage, m[1])
		}
	}

	// Links to the page's sections from the other pages.
	pages, _ := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	pages = append(pages, filepath.Join(repoRoot, "README.md"))
	link := regexp.MustCompile(`troubleshooting\.md#([A-Za-z0-9_-]+)`)
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			if _, ok := have[m[1]]; !ok && m[1] != "CODE" {
				t.Errorf("%s links to %s#%s, which no heading makes", p, importer.TroubleshootingPage, m[1])
			}
		}
	}

	// The messages the page quotes.
	quoted := regexp.MustCompile("(?m)^Message: `([^`]+)`$").FindAllStringSubmatch(page, -1)
	if len(quoted) < 10 {
		t.Fatalf("%s quotes %d messages; the pattern is wrong", importer.TroubleshootingPage, len(quoted))
	}
	source := repoText(t)
	for _, m := range quoted {
		if !strings.Contains(source, m[1]) {
			t.Errorf("%s quotes the message %q, which no Go file or script of mig has any more", importer.TroubleshootingPage, m[1])
		}
	}
}

// exitCodeValues returns the values of exit.go's exit* constants.
func exitCodeValues(t *testing.T) []int {
	f, err := parser.ParseFile(token.NewFileSet(), "exit.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range vs.Names {
			if !strings.HasPrefix(name.Name, "exit") || i >= len(vs.Values) {
				continue
			}
			if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.INT {
				v, _ := strconv.Atoi(lit.Value)
				out = append(out, v)
			}
		}
		return true
	})
	if len(out) < 7 {
		t.Fatalf("exit.go declares %d exit codes; the parse is wrong", len(out))
	}
	return out
}

// importerCodes greps the error codes the importer writes into
// import_items: the code literals and constants of its Go code, the codes
// its SQL sets, and the reasons of the view role_assignments_not_sent,
// which `mig errors` shows as codes.
func importerCodes(t *testing.T) []string {
	set := map[string]bool{}
	grep := func(glob string, res ...*regexp.Regexp) {
		files, err := filepath.Glob(filepath.Join(repoRoot, glob))
		if err != nil || len(files) == 0 {
			t.Fatalf("no file matches %s", glob)
		}
		found := 0
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, re := range res {
				for _, m := range re.FindAllStringSubmatch(string(b), -1) {
					for _, c := range m[1:] {
						if c != "" {
							set[c] = true
							found++
						}
					}
				}
			}
		}
		if found == 0 {
			t.Fatalf("no error code found in %s; the patterns are wrong", glob)
		}
	}
	grep("importer/*.go",
		regexp.MustCompile(`\bcode:\s*"([a-z_]+)"`),
		regexp.MustCompile(`\bcode[A-Z]\w*\s*=\s*"([a-z_]+)"`))
	grep("sqlqueries/importer/*.sql", regexp.MustCompile(`\berror_code\s*=\s*'([a-z_]+)'`))
	grep("schema/migrations/*_role_assignments_not_sent.sql",
		regexp.MustCompile(`THEN '([a-z_]+)' ELSE '([a-z_]+)' END AS reason`))
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// importWrites are the operations of WorkOS's API through which mig import
// writes (importer/entities.go, importer/workosapi): the error codes the
// spec gives their answers are the ones an import can meet.
var importWrites = []struct{ method, path string }{
	{"post", "/user_management/users"},
	{"put", "/user_management/users/{id}"},
	{"post", "/organizations"},
	{"post", "/user_management/organization_memberships"},
	{"put", "/user_management/organization_memberships/{id}"},
	{"post", "/authorization/permissions"},
	{"post", "/authorization/roles"},
	{"put", "/authorization/roles/{slug}/permissions"},
	{"post", "/authorization/organizations/{organizationId}/roles"},
	{"put", "/authorization/organizations/{organizationId}/roles/{slug}/permissions"},
	{"post", "/user_management/users/{userlandUserId}/auth_factors"},
}

// workosCodes returns the error codes (the const or enum of a "code"
// property) that WorkOS's OpenAPI spec gives the answers of importWrites,
// and the spec's path; none when the spec is not found ($WORKOS_OPENAPI_SPEC,
// or shared/workos/open-api-spec.yaml beside the repository or above it).
func workosCodes(t *testing.T) ([]string, string) {
	path := os.Getenv("WORKOS_OPENAPI_SPEC")
	if path == "" {
		for up := "/.."; len(up) < 20; up += "/.." {
			p := filepath.Join(repoRoot+up, "shared/workos/open-api-spec.yaml")
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		return nil, ""
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	model, err := doc.BuildV3Model()
	if model == nil {
		t.Fatalf("%s: %v", path, err)
	}
	set := map[string]bool{}
	seen := map[*base.Schema]bool{}
	var walk func(p *base.SchemaProxy)
	walk = func(p *base.SchemaProxy) {
		if p == nil {
			return
		}
		s := p.Schema()
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if s.Properties != nil {
			for name, prop := range s.Properties.FromOldest() {
				if name == "code" {
					if c := prop.Schema(); c != nil {
						if c.Const != nil {
							set[c.Const.Value] = true
						}
						for _, e := range c.Enum {
							set[e.Value] = true
						}
					}
				}
				walk(prop)
			}
		}
		for _, l := range [][]*base.SchemaProxy{s.AllOf, s.OneOf, s.AnyOf} {
			for _, sub := range l {
				walk(sub)
			}
		}
		if s.Items != nil && s.Items.IsA() {
			walk(s.Items.A)
		}
	}
	for _, w := range importWrites {
		item, ok := model.Model.Paths.PathItems.Get(w.path)
		if !ok {
			t.Errorf("%s has no path %s: update importWrites", path, w.path)
			continue
		}
		op, ok := item.GetOperations().Get(w.method)
		if !ok {
			t.Errorf("%s has no %s %s: update importWrites", path, strings.ToUpper(w.method), w.path)
			continue
		}
		if op.Responses == nil || op.Responses.Codes == nil {
			continue
		}
		for status, resp := range op.Responses.Codes.FromOldest() {
			if strings.HasPrefix(status, "2") || resp.Content == nil {
				continue
			}
			for _, mt := range resp.Content.FromOldest() {
				walk(mt.Schema)
			}
		}
	}
	if len(set) == 0 {
		t.Fatalf("%s gives the import's requests no error code; the walk is wrong", path)
	}
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out, path
}

// repoText is every Go file and test script of the repository, joined: the
// text a quoted message must be found in.
func repoText(t *testing.T) string {
	var b strings.Builder
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".txtar")) {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			b.Write(data)
			b.WriteByte('\n')
		}
		return nil
	})
	if err != nil {
		t.Fatal(fmt.Errorf("read the repository: %w", err))
	}
	return b.String()
}

// TestDocsIndex wants docs/README.md to link to every page under docs/, so
// that a new page is found from the index.
func TestDocsIndex(t *testing.T) {
	index := readPage(t, "docs/README.md")
	var missing []string
	err := filepath.WalkDir(filepath.Join(repoRoot, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
			return err
		}
		rel, err := filepath.Rel(filepath.Join(repoRoot, "docs"), p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel != "README.md" && !strings.Contains(index, "]("+rel+")") {
			missing = append(missing, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("docs/README.md does not link to: %s", strings.Join(missing, ", "))
	}
}
