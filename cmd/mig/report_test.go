package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/staging"
	"github.com/mig-tools/mig/workosemu"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden reports under testdata/report")

// reportDB builds a small migration as a user would run it: a Clerk export
// with org and role mappings imported into an in-process emulator (its
// memberships fail, since the roles exist nowhere), then a second Clerk
// tenant with phone-only users (skipped) and a flat CSV with errors
// staged after the import, test accounts of the second tenant excluded,
// and mig check run over all of it. It returns
// the database's path and the fixtures directory.
func reportDB(t *testing.T) (db, fixtures string) {
	t.Helper()
	fixtures, err := filepath.Abs("../../testdata/fixtures")
	if err != nil {
		t.Fatal(err)
	}
	emu, err := workosemu.New(workosemu.Options{Seed: 1, RateLimits: workosemu.RateLimitsOff})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() { srv.Close(); emu.Close() })

	db = filepath.Join(t.TempDir(), "mig.db")
	f := func(p string) string { return filepath.Join(fixtures, p) }
	steps := []struct {
		args []string
		code int
	}{
		{[]string{"ingest", "clerk", f("clerk/anchor-export.csv"), "--org-mapping", f("clerk/anchor-org-mapping.csv"), "--role-mapping", f("clerk/anchor-role-mapping.csv")}, exitOK},
		{[]string{"import", "--endpoint", srv.URL, "--api-key", "sk_test_report", "--rate-limit=-1"}, exitPartial},
		{[]string{"ingest", "clerk", "--source-tenant", "sample", f("clerk/clerk-migration-tool-sample.csv")}, exitOK},
		{[]string{"ingest", "csv", f("common/validation-test-errors.csv")}, exitOK},
		{[]string{"exclude", "--where", "source_tenant = 'sample' AND email LIKE 'john%'", "--reason", "test accounts"}, exitOK},
		{[]string{"check"}, exitFindings},
	}
	for _, s := range steps {
		if code, _, stderr := migRun(db, "", s.args...); code != s.code {
			t.Fatalf("mig %s exited %d, want %d: %s", strings.Join(s.args, " "), code, s.code, stderr)
		}
	}
	return db, fixtures
}

// pinTimes gives every timestamp the report shows a fixed value, so that
// the golden report does not change with the clock: import rows settle a
// second apart in id order.
func pinTimes(t *testing.T, db string) {
	t.Helper()
	x, err := sqlx.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for _, q := range []string{
		`UPDATE import_items SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01T10:00:00', '+' || id || ' seconds')`,
		`UPDATE import_runs SET started_at = '2026-01-01T10:00:00.000Z', finished_at = '2026-01-01T10:01:00.000Z'`,
		`UPDATE findings SET created_at = '2026-01-01T11:00:00.000Z'`,
	} {
		if _, err := x.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

var (
	requestID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	localURL  = regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
)

// TestReportMarkdownGolden compares `mig report --format md` on a small
// migration with testdata/report/report.md (go test -run ReportMarkdown
// -update rewrites it), and checks that the report left the database as it
// was although the plan runs inside a transaction.
func TestReportMarkdownGolden(t *testing.T) {
	db, fixtures := reportDB(t)
	pinTimes(t, db)
	before := digest(t, db)
	code, out, stderr := migRun(db, "", "report", "--format", "md", "--generated-at", "2026-01-02T00:00:00Z")
	if code != 0 {
		t.Fatalf("report exited %d: %s", code, stderr)
	}
	if after := digest(t, db); after != before {
		t.Errorf("mig report changed the staging database")
	}
	got := strings.ReplaceAll(out, db, "$DB")
	got = strings.ReplaceAll(got, fixtures, "$FIXTURES")
	got = requestID.ReplaceAllString(got, "$$REQUEST_ID")
	got = localURL.ReplaceAllString(got, "$$ENDPOINT")
	golden := filepath.Join("..", "..", "testdata", "report", "report.md")
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("mig report --format md differs from %s (run with -update to accept):\n%s", golden, lineDiff(string(want), got))
	}
}

// lineDiff shows the first lines where two texts differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}

// shownNumber is one number on the page: what it counts, its value, how it
// reads, and its unit ("" for a count, "s" for a duration in seconds).
type shownNumber struct {
	Metric, Value, Text, Unit string
}

var (
	metricElem = regexp.MustCompile(`<(\w+)\s([^>]*\bdata-metric="[^"]*"[^>]*)>([^<]*)<`)
	attr       = regexp.MustCompile(`\b(data-[a-z]+)="([^"]*)"`)
)

// shownNumbers reads every element carrying data-metric, whether the page
// is as mig wrote it or as a browser serialised its DOM.
func shownNumbers(t *testing.T, page string) []shownNumber {
	t.Helper()
	var out []shownNumber
	for _, m := range metricElem.FindAllStringSubmatch(page, -1) {
		n := shownNumber{Text: html.UnescapeString(strings.TrimSpace(m[3]))}
		for _, a := range attr.FindAllStringSubmatch(m[2], -1) {
			v := html.UnescapeString(a[2])
			switch a[1] {
			case "data-metric":
				n.Metric = v
			case "data-value":
				n.Value = v
			case "data-unit":
				n.Unit = v
			}
		}
		out = append(out, n)
	}
	return out
}

// expected computes, straight from the database and from `mig import
// --plan --json`, the value of every number the report may show, keyed by
// its data-metric.
func expected(t *testing.T, dbPath string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	db, err := staging.OpenReadOnly(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := map[string]int64{}
	add := func(q string, key func(cols []string) string) {
		t.Helper()
		rows, err := db.Queryx(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		for rows.Next() {
			vals, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			cols := make([]string, len(vals)-1)
			for i, v := range vals[:len(vals)-1] {
				cols[i] = fmt.Sprint(textOf(v, ""))
			}
			n, _ := strconv.ParseInt(fmt.Sprint(vals[len(vals)-1]), 10, 64)
			want[key(cols)] = n
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	join := func(cols []string) string { return strings.Join(cols, "|") }

	add(`SELECT 'users', source, source_tenant, 'staged', count(*) FROM users WHERE change <> 'missing' GROUP BY source, source_tenant`, join)
	add(`SELECT 'users', source, source_tenant, 'missing', count(*) FROM users WHERE change = 'missing' GROUP BY source, source_tenant`, join)
	add(`SELECT 'users', source, source_tenant, 'skipped', count(*) FROM skipped_users GROUP BY source, source_tenant`, join)
	add(`SELECT 'users-total', 'staged', count(*) FROM users WHERE change <> 'missing'`, join)
	add(`SELECT 'users-total', 'missing', count(*) FROM users WHERE change = 'missing'`, join)
	add(`SELECT 'users-total', 'skipped', count(*) FROM skipped_users`, join)
	add(`SELECT 'users', source, source_tenant, 'excluded', count(*) FROM excluded_users GROUP BY source, source_tenant`, join)
	add(`SELECT 'users-total', 'excluded', count(*) FROM excluded_users`, join)
	for label, table := range map[string]string{"organizations": "organizations", "memberships": "memberships", "roles": "roles",
		"permissions": "permissions", "role assignments": "role_assignments", "TOTP factors": "totp_secrets", "SSO connections": "sso_connections"} {
		add(`SELECT 'staged', '`+label+`', count(*) FROM `+table, join)
	}
	add(`SELECT 'skipped', source, source_tenant, reason, count(*) FROM skipped_users GROUP BY 2, 3, 4`, join)
	add(`SELECT 'warnings', source, code, count(*) FROM warnings GROUP BY 2, 3`, join)
	add(`SELECT 'findings', rule, severity, count(*) FROM findings GROUP BY 2, 3`, join)
	for _, sev := range []string{"error", "warning"} {
		add(`SELECT 'findings-total', '`+sev+`', count(*) FROM open_findings WHERE severity = '`+sev+`'`, join)
	}
	plural := func(cols []string) string {
		if cols[1] != "totp" {
			cols[1] += "s"
		}
		return join(cols)
	}
	// Succeeded counts rows mig created; adopted and updated rows are
	// counted apart.
	outcome := map[string]string{
		"total":     "1",
		"succeeded": "status = 'done' AND coalesce(outcome, '') NOT IN ('adopted', 'updated')",
		"adopted":   "status = 'done' AND outcome = 'adopted'",
		"updated":   "status = 'done' AND outcome = 'updated'",
		"failed":    "status = 'failed'",
		"skipped":   "status = 'skipped'",
		"pending":   "status IN ('pending', 'in_flight')",
	}
	for col, cond := range outcome {
		add(`SELECT 'import', entity, '`+col+`', coalesce(sum(`+cond+`), 0) FROM import_items GROUP BY entity`, plural)
		add(`SELECT 'import-total', '`+col+`', coalesce(sum(`+cond+`), 0) FROM import_items HAVING count(*) > 0`, join)
	}
	add(`SELECT 'import-total', 'done', count(*) FROM import_items WHERE status = 'done' HAVING (SELECT count(*) FROM import_items) > 0`, join)
	add(`SELECT 'settled', status, count(*) FROM import_items WHERE status IN ('done', 'failed', 'skipped') GROUP BY status`, join)
	add(`SELECT 'failures', entity, status, coalesce(error_code, ''), coalesce(http_status, 0),
			(SELECT coalesce(group_concat(value, ','), '') FROM json_each(coalesce(error_subcodes, '[]'))),
			CASE WHEN retryable THEN 'true' ELSE 'false' END, count(*)
		FROM import_items WHERE status = 'failed' OR (status = 'skipped' AND error_code IS NOT NULL)
		GROUP BY entity, status, error_code, http_status, error_subcodes, retryable`, plural)
	// Role assignments no membership carries are a cause of their own
	// where the schema lists them (role_assignments_not_sent).
	var notSent int
	if err := db.Get(&notSent, `SELECT count(*) FROM sqlite_master WHERE name = 'role_assignments_not_sent'`); err != nil {
		t.Fatal(err)
	}
	if notSent > 0 {
		add(`SELECT 'failures', 'role assignments', 'not_sent', reason, 0, '', 'false', count(*) FROM role_assignments_not_sent GROUP BY reason`, join)
	}

	// The plan is the importer's: `mig import --plan --json` says it.
	code, out, stderr := migRun(dbPath, "", "import", "--plan", "--json")
	if code != 0 {
		t.Fatalf("import --plan exited %d: %s", code, stderr)
	}
	var s struct {
		Plan struct {
			Rows []struct {
				Entity, Kind   string
				Rows, Requests int64
			}
			Writes  int64   `json:"user_management_writes"`
			Reads   int64   `json:"user_management_reads"`
			Other   int64   `json:"other_requests"`
			Seconds float64 `json:"estimated_seconds"`
		}
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("import --plan --json: %v\n%s", err, out)
	}
	for _, r := range s.Plan.Rows {
		want["plan|"+r.Entity+"|"+r.Kind+"|rows"] = r.Rows
		want["plan|"+r.Entity+"|"+r.Kind+"|requests"] = r.Requests
	}
	want["plan-total|requests"] = s.Plan.Writes + s.Plan.Reads + s.Plan.Other
	want["plan-total|seconds"] = int64(s.Plan.Seconds)
	return want
}

// checkNumbers asserts that every number on the page reads as its value
// and equals what the database says, and that the numbers every page must
// show are there.
func checkNumbers(t *testing.T, page string, want map[string]int64) {
	t.Helper()
	shown := shownNumbers(t, page)
	if len(shown) == 0 {
		t.Fatal("no number on the page carries data-metric")
	}
	seen := map[string]bool{}
	for _, n := range shown {
		v, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil {
			t.Errorf("%s: data-value %q is not a number", n.Metric, n.Value)
			continue
		}
		reads := thousands(v)
		if n.Unit == "s" {
			reads = (time.Duration(v) * time.Second).String()
		}
		if n.Text != reads {
			t.Errorf("%s: shows %q, but its data-value is %d", n.Metric, n.Text, v)
		}
		w, ok := want[n.Metric]
		switch {
		case !ok && v != 0:
			t.Errorf("%s = %d on the page, but the database has no such number", n.Metric, v)
		case w != v:
			t.Errorf("%s = %d on the page, %d in the database", n.Metric, v, w)
		}
		seen[n.Metric] = true
	}
	for k, v := range want {
		if !seen[k] && v != 0 {
			t.Errorf("%s = %d in the database, not on the page", k, v)
		}
	}
	// Every cell of a number column is tied to the database.
	for _, td := range regexp.MustCompile(`<td class="num[^"]*"[^>]*>`).FindAllString(page, -1) {
		if !strings.Contains(td, "data-metric=") {
			t.Errorf("a number cell without data-metric: %s", td)
		}
	}
}

// thousands is how the page writes a count.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TestReportHTMLNumbers checks every number of the HTML report against the
// database, and that the page is private and loads nothing.
func TestReportHTMLNumbers(t *testing.T) {
	db, _ := reportDB(t)
	out := filepath.Join(t.TempDir(), "report.html")
	if code, _, stderr := migRun(db, "", "report", "--output", out); code != 0 {
		t.Fatalf("report exited %d: %s", code, stderr)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("report.html has mode %o, want 600", st.Mode().Perm())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	checkNumbers(t, page, expected(t, db))
	for _, bad := range []string{"<script", "<link", "src=", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q: it must load nothing", bad)
		}
	}
	for _, section := range []string{`id="staged"`, `id="findings"`, `id="plan"`, `id="outcome"`, "<svg"} {
		if !strings.Contains(page, section) {
			t.Errorf("the page has no %s", section)
		}
	}
}

// browser is a Chromium found on PATH, or "".
func browser() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestReportInBrowser loads the HTML report in a real headless browser and
// checks the numbers of the DOM it builds against the database.
func TestReportInBrowser(t *testing.T) {
	chrome := browser()
	if chrome == "" {
		t.Skip("no chromium, chromium-browser or google-chrome on PATH: the report is not loaded in a browser here")
	}
	db, _ := reportDB(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "report.html")
	if code, _, stderr := migRun(db, "", "report", "--output", out); code != 0 {
		t.Fatalf("report exited %d: %s", code, stderr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--dump-dom", "file://"+out)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s --dump-dom: %v\n%s", chrome, err, stderr.String())
	}
	if !strings.Contains(string(dom), `id="outcome"`) {
		t.Fatalf("the browser's DOM has no outcome section:\n%.2000s", dom)
	}
	checkNumbers(t, string(dom), expected(t, db))
}

// hostileDB stages what a report must never show or must show inert: a
// bcrypt hash, a malformed firebase-scrypt hash, a plaintext password, TOTP
// secrets (one valid, one not), an SSO connection's client secret, an email
// and a skip reason holding markup; then runs check and an import into an
// emulator (which the import may refuse because of the check's errors).
// It returns the database's path and every secret it holds.
func hostileDB(t *testing.T) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	const (
		bcrypt   = "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
		firebase = "$firebase-scrypt$hash=c2VjcmV0LWhhc2gtdmFsdWU=$saltSECRETSEGMENTxyz$sk=c2lnbmVyLWtleS12YWx1ZQ==$ss=Bw==$r=8$m=14"
		plain    = "Plaintext-Secret-4417"
	)
	users := "email,first_name,last_name,email_verified,password,password_hash,password_hash_type,external_id,metadata\n" +
		"alice@example.com,Alice,A,true,,\"" + bcrypt + "\",bcrypt,,\n" +
		"bob@example.com,Bob,B,true,,\"" + firebase + "\",firebase-scrypt,,\n" +
		"carol@example.com,Carol,C,true," + plain + ",,,,\n" +
		"\"<script>alert(1)</script>@example.com\",Eve,<b>E</b>,true,,,,,\n"
	totp := "email,totp_secret,totp_issuer,totp_user\n" +
		"alice@example.com,JBSWY3DPEHPK3PXPJBSWY3DP,Acme,alice@example.com\n" +
		"bob@example.com,not-base32-secret-zz,Acme,bob@example.com\n"
	for name, body := range map[string]string{"users.csv": users, "totp.csv": totp} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(dir, "mig.db")
	if code, _, stderr := migRun(db, "", "ingest", "csv", filepath.Join(dir, "users.csv"), "--totp", filepath.Join(dir, "totp.csv")); code != 0 {
		t.Fatalf("ingest exited %d: %s", code, stderr)
	}
	x, err := sqlx.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO sso_connections (source, source_connection_id, protocol, name, config, secrets)
		 VALUES ('csv', 'conn_1', 'oidc', 'Okta', '{"client_id":"client-abc"}', '{"client_secret":"sso-client-secret-9d8c7b"}')`,
		`INSERT INTO skipped_users (source, file, row_number, email, reason, raw, created_at)
		 VALUES ('csv', 'users.csv', 9, '<img src=x onerror=alert(2)>@example.com', '<script>alert(3)</script> in the reason', '{"password":"raw-secret-in-skipped-row"}', '2026-01-01T00:00:00.000Z')`,
	} {
		if _, err := x.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var secrets []string
	if err := x.Select(&secrets, `SELECT v FROM (
		SELECT password_hash AS v FROM users UNION ALL SELECT password FROM users
		UNION ALL SELECT source_password_digest FROM users UNION ALL SELECT secret FROM totp_secrets
		UNION ALL SELECT value FROM sso_connections, json_each(sso_connections.secrets)) WHERE v IS NOT NULL AND v <> ''`); err != nil {
		t.Fatal(err)
	}
	x.Close()
	secrets = append(secrets, "raw-secret-in-skipped-row")
	// A secret may be quoted in part: every piece of one that is long
	// enough to be recognised is a secret too.
	for _, s := range secrets[:len(secrets):len(secrets)] {
		for _, piece := range strings.FieldsFunc(s, func(r rune) bool { return r == '$' || r == '=' || r == ',' }) {
			// Type names such as firebase-scrypt are no secret.
			if len(piece) >= 10 && !regexp.MustCompile(`^[a-z0-9-]+$`).MatchString(piece) {
				secrets = append(secrets, piece)
			}
		}
	}
	if len(secrets) < 6 {
		t.Fatalf("the database holds too few secrets to test with: %q", secrets)
	}

	if code, _, stderr := migRun(db, "", "check"); code != exitFindings {
		t.Fatalf("check exited %d, want %d: %s", code, exitFindings, stderr)
	}
	emu, err := workosemu.New(workosemu.Options{Seed: 1, RateLimits: workosemu.RateLimitsOff})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	defer func() { srv.Close(); emu.Close() }()
	// An import that refuses to start while check reports errors exits 3;
	// one that sends what it can exits 5.
	if code, _, stderr := migRun(db, "", "import", "--endpoint", srv.URL, "--api-key", "sk_test_report", "--rate-limit=-1"); code != exitPartial && code != exitFindings {
		t.Fatalf("import exited %d: %s", code, stderr)
	}
	return db, secrets
}

// TestReportHoldsNoSecrets renders both formats from a database holding
// password hashes, a plaintext password, TOTP secrets and an SSO secret,
// and finds none of them, whole or in part, in either.
func TestReportHoldsNoSecrets(t *testing.T) {
	db, secrets := hostileDB(t)
	for _, format := range []string{"html", "md"} {
		code, out, stderr := migRun(db, "", "report", "--format", format, "--output", "-")
		if code != 0 {
			t.Fatalf("report --format %s exited %d: %s", format, code, stderr)
		}
		if !strings.Contains(out, "bob@example.com") {
			t.Errorf("report --format %s: no example row at all; the test proves nothing", format)
		}
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("report --format %s holds the secret %q", format, s)
			}
		}
	}
}

// TestReportEscapesMarkup checks that an email and a skip reason holding
// markup are shown as text: escaped by html/template in the page, by a
// backslash in Markdown.
func TestReportEscapesMarkup(t *testing.T) {
	db, _ := hostileDB(t)
	_, page, stderr := migRun(db, "", "report", "--output", "-")
	if !strings.Contains(page, "<!DOCTYPE html>") {
		t.Fatalf("no HTML page on stdout: %s", stderr)
	}
	low := strings.ToLower(page)
	for _, bad := range []string{"<script", "<img", "<b>"} {
		if strings.Contains(low, bad) {
			t.Errorf("the page holds %q from the data", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;@example.com", "&lt;script&gt;alert(3)&lt;/script&gt; in the reason"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not show %q", want)
		}
	}
	_, md, _ := migRun(db, "", "report", "--format", "md")
	if m := regexp.MustCompile(`(?i)(^|[^\\])<(script|img|b>)`).FindString(md); m != "" {
		t.Errorf("the Markdown holds raw markup from the data: %q", m)
	}
	if !strings.Contains(md, `\<script\>alert(3)\</script\> in the reason`) {
		t.Errorf("the Markdown does not show the reason escaped:\n%s", md)
	}
}
