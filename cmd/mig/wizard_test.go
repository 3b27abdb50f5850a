package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/huh"
	"golang.org/x/crypto/bcrypt"
)

// Secrets the wizard's tests type at its hidden prompts; none may show up
// in its output, the staging database or the printed commands.
const (
	wizardKey      = "sk_test_wizard_SECRET_8d1f3a"
	wizardPassword = "Wizard-Pass-5521-secret"
)

// wizardClerk writes a small Clerk export and org mapping into dir: five
// users with bcrypt hashes of wizardPassword, one TOTP secret, two sharing
// an address (an error no fix repairs: one is excluded), and one address
// with capitals in its domain (a finding a safe fix applies to).
func wizardClerk(t *testing.T, dir string) (users, orgs string) {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(wizardPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	users, orgs = filepath.Join(dir, "users.csv"), filepath.Join(dir, "orgs.csv")
	var b strings.Builder
	b.WriteString("id,first_name,last_name,username,primary_email_address,primary_phone_number,verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,totp_secret,password_digest,password_hasher\n")
	for _, u := range []string{
		"user_1,Alice,Able,alice,alice@example.com,,alice@example.com,,,,",
		"user_2,Bob,Baker,bob,bob@example.com,,bob@example.com,,,,JBSWY3DPEHPK3PXP",
		"user_3,Carol,Cole,carol,carol@example.com,,carol@example.com,,,,",
		"user_4,Carol,Clone,carol2,carol@example.com,,carol@example.com,,,,",
		"user_5,Dan,Dale,dan,dan@Example.com,,dan@Example.com,,,,",
	} {
		fmt.Fprintf(&b, "%s,%s,bcrypt\n", u, h)
	}
	if err := os.WriteFile(users, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	m := "clerk_user_id,org_external_id,org_name\nuser_1,acme,Acme\nuser_2,acme,Acme\nuser_5,globex,Globex\n"
	if err := os.WriteFile(orgs, []byte(m), 0o600); err != nil {
		t.Fatal(err)
	}
	return users, orgs
}

// noSecretEnv makes sure the wizard finds no WorkOS key or URL in the
// environment, so it asks for them.
func noSecretEnv(t *testing.T) {
	for _, name := range []string{envWorkOSKey, envWorkOSURL, envClerkKey, "MIG_DB"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
}

// answers joins one answer a line, as a person types them.
func answers(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// wizardRun is one `mig wizard` in-process with answers on stdin.
type wizardRun struct {
	code           int
	stdout, stderr string
}

func runWizard(t *testing.T, ctx context.Context, db, in string) wizardRun {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"--db", db, "wizard"}, strings.NewReader(in), &out, &errb)
	return wizardRun{code, out.String(), errb.String()}
}

// clerkAnswers are the answers of a whole Clerk migration from a new
// database: source, organizations per user from a mapping file, no role
// files, no SSO; the safe fix; the exclusion; a password check; a package;
// the destination, its key, and the confirmation.
func clerkAnswers(users, orgs, pkg, url string) []string {
	return []string{
		"1", "1", users, orgs, "", "", "",
		"y", "duplicate account",
		"alice@example.com", wizardPassword,
		pkg,
		url, wizardKey, "import",
	}
}

// wantClerkCommands are the commands a whole Clerk migration prints.
func wantClerkCommands(db, users, orgs, pkg, url string) string {
	return strings.Join([]string{
		"mig --db " + db + " ingest clerk " + users + " --org-mapping " + orgs,
		"mig --db " + db + " check",
		"mig --db " + db + " check --fix",
		"mig --db " + db + ` exclude --where 'id IN (SELECT user_id FROM finding_users WHERE severity = '\''error'\'')' --reason 'duplicate account'`,
		"mig --db " + db + " check",
		"mig --db " + db + " verify-password alice@example.com",
		"mig --db " + db + " emit --output-dir " + pkg,
		"mig --db " + db + " import --plan",
		"mig --db " + db + " import --dry-run",
		"WORKOS_SECRET_KEY=... mig --db " + db + " import --endpoint " + url,
		"WORKOS_SECRET_KEY=... mig --db " + db + " reconcile --endpoint " + url,
	}, "\n") + "\n"
}

// endState is what a migration leaves: the emulator's counts, the import
// rows by entity and status, and what is staged.
type endState struct {
	Emulator struct {
		Counts map[string]int `json:"counts"`
	}
	Items  map[string]int
	Staged map[string]int
}

func readEndState(t *testing.T, db, url string) endState {
	t.Helper()
	status, body := getState(t, url+"/_emulator/state?counts=1", wizardKey)
	if status != http.StatusOK {
		t.Fatalf("emulator state: %d %s", status, body)
	}
	s := endState{Items: map[string]int{}, Staged: map[string]int{}}
	if err := json.Unmarshal([]byte(body), &s.Emulator); err != nil {
		t.Fatalf("emulator state %s: %v", body, err)
	}
	conn, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for q, m := range map[string]map[string]int{
		`SELECT entity || ' ' || status, count(*) FROM import_items GROUP BY 1`: s.Items,
		`SELECT 'users', count(*) FROM users UNION ALL SELECT 'excluded', count(*) FROM excluded_users
		 UNION ALL SELECT 'fixes', count(*) FROM fixes UNION ALL SELECT 'memberships', count(*) FROM memberships`: s.Staged,
	} {
		rows, err := conn.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				t.Fatal(err)
			}
			m[k] = n
		}
		rows.Close()
	}
	return s
}

// TestWizardClerkMigration drives the wizard through a whole Clerk
// migration into `mig emulator`, answers on stdin, then runs the commands
// it printed on a new database against a new emulator: both end the same,
// so the printed commands are what the wizard did.
func TestWizardClerkMigration(t *testing.T) {
	noSecretEnv(t)
	dir := t.TempDir()
	users, orgs := wizardClerk(t, dir)
	db, pkg := filepath.Join(dir, "a", "mig.db"), filepath.Join(dir, "a", "pkg")
	os.Mkdir(filepath.Dir(db), 0o700)
	url, _, _ := startEmulatorCmd(t, "--rate-limits", "off")

	r := runWizard(t, context.Background(), db, answers(clerkAnswers(users, orgs, pkg, url)...))
	if r.code != exitOK {
		t.Fatalf("mig wizard exited %d\nstderr:\n%s", r.code, r.stderr)
	}
	if want := wantClerkCommands(db, users, orgs, pkg, url); r.stdout != want {
		t.Fatalf("printed commands:\n%s\nwant:\n%s\nstderr:\n%s", r.stdout, want, r.stderr)
	}
	got := readEndState(t, db, url)
	if n := got.Emulator.Counts["users"]; n != 4 {
		t.Errorf("emulator users = %v, want 4 (five staged, one excluded): %v", n, got.Emulator)
	}
	for k, n := range got.Items {
		if !strings.HasSuffix(k, " done") && k != "user skipped" {
			t.Errorf("import_items: %d %s, want every row done but the excluded user's", n, k)
		}
	}
	if got.Items["user skipped"] != 1 || got.Items["user done"] != 4 || got.Items["membership done"] != 3 || got.Items["totp done"] != 1 {
		t.Errorf("import_items = %v", got.Items)
	}
	if !strings.Contains(r.stderr, "match: the password matches its bcrypt hash") {
		t.Errorf("no password match on stderr:\n%s", r.stderr)
	}

	// The printed commands, run as they are on a new database against a new
	// emulator (the secret given in the environment, the password on
	// stdin), end in the same state.
	url2, _, _ := startEmulatorCmd(t, "--rate-limits", "off")
	db2, pkg2 := filepath.Join(dir, "b", "mig.db"), filepath.Join(dir, "b", "pkg")
	os.Mkdir(filepath.Dir(db2), 0o700)
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		line = strings.NewReplacer(db, db2, pkg, pkg2, url, url2).Replace(line)
		env, args := shellWords(t, line)
		if args[0] != "mig" {
			t.Fatalf("printed line %q does not run mig", line)
		}
		for _, name := range env {
			if name != envWorkOSKey {
				t.Fatalf("printed line %q needs %s", line, name)
			}
			t.Setenv(name, wizardKey)
		}
		var out bytes.Buffer
		code := run(context.Background(), args[1:], strings.NewReader(wizardPassword+"\n"), &out, &out)
		for _, name := range env {
			os.Unsetenv(name)
		}
		// mig check exits 3 while error findings are open, as the wizard
		// saw it do.
		if code != exitOK && !(code == exitFindings && slices.Contains(args, "check")) {
			t.Fatalf("%s: exit %d\n%s", line, code, out.String())
		}
	}
	if again := readEndState(t, db2, url2); fmt.Sprint(again) != fmt.Sprint(got) {
		t.Fatalf("the printed commands end in\n%v\nthe wizard in\n%v", again, got)
	}
}

// shellWords splits a printed command line: NAME=... words first (the
// secrets it takes from the environment), then the words, single quotes as
// the wizard writes them.
func shellWords(t *testing.T, line string) (env, args []string) {
	t.Helper()
	var words []string
	var cur strings.Builder
	inWord, quoted, escaped := false, false, false
	for _, r := range line {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case quoted && r == '\'':
			quoted = false
		case quoted:
			cur.WriteRune(r)
		case r == '\'':
			quoted, inWord = true, true
		case r == ' ':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case r == '\\':
			escaped, inWord = true, true
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unterminated quote in %q", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	for len(words) > 0 && strings.HasSuffix(words[0], "=...") {
		env = append(env, strings.TrimSuffix(words[0], "=..."))
		words = words[1:]
	}
	return env, words
}

// TestWizardSecretsStayOut: the WorkOS key and the password typed at the
// hidden prompts are in no output, no printed command and no file of the
// staging database.
func TestWizardSecretsStayOut(t *testing.T) {
	noSecretEnv(t)
	dir := t.TempDir()
	users, orgs := wizardClerk(t, dir)
	db, pkg := filepath.Join(dir, "mig.db"), filepath.Join(dir, "pkg")
	url, emuLog, _ := startEmulatorCmd(t, "--rate-limits", "off")
	r := runWizard(t, context.Background(), db, answers(clerkAnswers(users, orgs, pkg, url)...))
	if r.code != exitOK {
		t.Fatalf("mig wizard exited %d\nstderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "WORKOS_SECRET_KEY=... mig") {
		t.Errorf("the import is not printed with the key's variable:\n%s", r.stdout)
	}
	if os.Getenv(envWorkOSKey) != "" {
		t.Errorf("%s is left set in the environment after the wizard", envWorkOSKey)
	}
	places := map[string]string{"stdout": r.stdout, "stderr": r.stderr, "emulator log": emuLog.String()}
	files, _ := filepath.Glob(db + "*")
	pkgFiles, _ := filepath.Glob(filepath.Join(pkg, "*"))
	for _, f := range append(files, pkgFiles...) {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // a directory
		}
		places[f] = string(b)
	}
	if len(files) == 0 {
		t.Fatal("no database file")
	}
	for where, text := range places {
		for _, secret := range []string{wizardKey, wizardPassword} {
			if strings.Contains(text, secret) {
				t.Errorf("the secret %q is in %s", secret, where)
			}
		}
	}
}

// TestWizardResume: stdin ends at the first question after the check;
// the wizard exits with the error naming the question and the commands
// run so far; started again, it goes on from the check's findings, not
// from the ingest.
func TestWizardResume(t *testing.T) {
	noSecretEnv(t)
	dir := t.TempDir()
	users, orgs := wizardClerk(t, dir)
	db, pkg := filepath.Join(dir, "mig.db"), filepath.Join(dir, "pkg")
	url, _, _ := startEmulatorCmd(t, "--rate-limits", "off")
	all := clerkAnswers(users, orgs, pkg, url)

	r := runWizard(t, context.Background(), db, answers(all[:7]...))
	if r.code != exitFailure || !strings.Contains(r.stderr, `standard input ended at the question "Apply the safe fixes (mig check --fix)?"`) {
		t.Fatalf("exit %d; want 1 and the question stdin ended at\nstderr:\n%s", r.code, r.stderr)
	}
	want := "mig --db " + db + " ingest clerk " + users + " --org-mapping " + orgs + "\nmig --db " + db + " check\n"
	if r.stdout != want {
		t.Fatalf("printed commands:\n%s\nwant:\n%s", r.stdout, want)
	}

	// Again: "continue" (1), then the answers from the fix on; this
	// session did not ask how users join organizations, so it asks whether
	// to put them all in one (no: empty) before the plan.
	again := append([]string{"1"}, all[7:12]...)
	again = append(again, "")
	r = runWizard(t, context.Background(), db, answers(append(again, all[12:]...)...))
	if r.code != exitOK {
		t.Fatalf("second run exited %d\nstderr:\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "already holds a migration") {
		t.Errorf("the second run does not say where things stand:\n%s", r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if lines[0] != "mig --db "+db+" check --fix" || len(lines) != 9 || !strings.Contains(lines[8], " reconcile --endpoint ") {
		t.Fatalf("second run's commands:\n%s\nwant them to start at check --fix and end with the import and its reconciliation", r.stdout)
	}
	if got := readEndState(t, db, url); got.Emulator.Counts["users"] != 4 {
		t.Fatalf("emulator after the resumed wizard: %v", got.Emulator)
	}

	// A third time there is nothing left to do.
	r = runWizard(t, context.Background(), db, answers("1"))
	if r.code != exitOK || !strings.Contains(r.stderr, "The migration is done") || r.stdout != "" {
		t.Fatalf("third run: exit %d, stdout %q\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestWizardInterrupted: Ctrl-C while a question waits exits 130 and
// prints the commands run so far.
func TestWizardInterrupted(t *testing.T) {
	noSecretEnv(t)
	dir := t.TempDir()
	users, orgs := wizardClerk(t, dir)
	db := filepath.Join(dir, "mig.db")
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancelCause(context.Background())
	var out bytes.Buffer
	errb := &lockedBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"--db", db, "wizard"}, pr, &out, errb) }()
	go io.WriteString(pw, answers("1", "1", users, orgs, "", "", ""))
	for !strings.Contains(errb.String(), "Apply the safe fixes") {
		select {
		case code := <-done:
			t.Fatalf("the wizard exited %d before the question\n%s", code, errb.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel(interrupted{os.Interrupt})
	if code := <-done; code != exitInterrupted {
		t.Fatalf("exit %d, want %d\n%s", code, exitInterrupted, errb.String())
	}
	if want := "mig --db " + db + " ingest clerk " + users + " --org-mapping " + orgs + "\nmig --db " + db + " check\n"; out.String() != want {
		t.Fatalf("printed commands:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestWizardInTerminal drives the wizard's forms (the TUI, not the line
// mode) in a tmux pane: the source, how users join organizations, the
// export's path and the SSO question, then the ingest and the check run,
// and Ctrl-C at the question on the fixes exits 130 with the commands run
// printed. Skipped where tmux is not installed.
func TestWizardInTerminal(t *testing.T) {
	tmux := needTmux(t, "the wizard's forms are")
	dir := t.TempDir()
	bin := buildMig(t, dir)
	users, _ := wizardClerk(t, dir)
	db := filepath.Join(dir, "mig.db")
	script := fmt.Sprintf("%s --db %s wizard; echo MIG-EXIT=$?; sleep 60", bin, db)
	tm := tmuxSession(t, tmux, "mig-wizard-test", 160, script)
	var screen string
	var err error
	waitFor := func(want string) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			if screen, err = tm("capture-pane", "-p", "-J", "-S", "-200", "-t", "mig"); err != nil {
				t.Fatalf("tmux capture-pane: %v\n%s", err, screen)
			}
			if strings.Contains(screen, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%q did not show in a minute; the screen:\n%s", want, screen)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	keys := func(k ...string) {
		t.Helper()
		if out, err := tm(append([]string{"send-keys", "-t", "mig"}, k...)...); err != nil {
			t.Fatalf("tmux send-keys: %v\n%s", err, out)
		}
	}
	waitFor("Which source do the users come from?")
	keys("Enter") // Clerk, the first
	waitFor("How do users join organizations?")
	keys("Down", "Down", "Enter") // no organizations
	waitFor("The Clerk CSV export")
	keys("-l", users)
	keys("Enter")
	waitFor("enterprise SSO connections")
	keys("Enter") // No, the default
	waitFor("Apply the safe fixes")
	keys("C-c")
	waitFor("MIG-EXIT=")
	if !strings.Contains(screen, "MIG-EXIT=130") {
		t.Errorf("exit code on the screen is not 130:\n%s", screen)
	}
	flat := regexp.MustCompile(`\s+`).ReplaceAllString(screen, " ")
	for _, want := range []string{"mig --db " + db + " ingest clerk " + users, "mig --db " + db + " check"} {
		if !strings.Contains(flat, want) {
			t.Errorf("%q not on the screen:\n%s", want, screen)
		}
	}
}

// TestWizardFailedRows: a membership whose role WorkOS does not have
// fails; the wizard shows mig errors, retries what is retryable once when
// asked, and stops naming what to fix, with both commands printed.
func TestWizardFailedRows(t *testing.T) {
	noSecretEnv(t)
	dir := t.TempDir()
	users, orgs := wizardClerk(t, dir)
	roles := filepath.Join(dir, "roles.csv")
	if err := os.WriteFile(roles, []byte("clerk_user_id,role_slug\nuser_1,ghost-role\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "mig.db")
	url, _, _ := startEmulatorCmd(t, "--rate-limits", "off")
	r := runWizard(t, context.Background(), db, answers(
		"1", "1", users, orgs, roles, "", "",
		"y", "duplicate account",
		"", "",
		url, wizardKey, "import",
		"y"))
	if r.code != exitFailure || !strings.Contains(r.stderr, "Rows still fail") {
		t.Fatalf("exit %d; want 1 and the rows that still fail named\nstderr:\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	want := []string{
		"WORKOS_SECRET_KEY=... mig --db " + db + " import --endpoint " + url,
		"mig --db " + db + " errors",
		"WORKOS_SECRET_KEY=... mig --db " + db + " import --retry-failed --endpoint " + url,
		"mig --db " + db + " errors",
	}
	if len(lines) < len(want) || !slices.Equal(lines[len(lines)-len(want):], want) {
		t.Fatalf("printed commands:\n%s\nwant them to end with:\n%s", r.stdout, strings.Join(want, "\n"))
	}
	if got := readEndState(t, db, url); got.Items["membership failed"] != 1 {
		t.Fatalf("import_items = %v, want one failed membership", got.Items)
	}
}

// TestWizardLineModeOneAnswerAQuestion: in the line mode each question
// takes the next line of a piped stdin, however many lines are waiting
// (huh's own line mode reads a buffer-full for one question, losing the
// answers of the next), and the end of input at a question is an error
// naming it, not its default answer.
func TestWizardLineModeOneAnswerAQuestion(t *testing.T) {
	var errb bytes.Buffer
	a := newAsker(strings.NewReader("first\n2\ny\nlast"), &errb, false)
	if !a.accessible {
		t.Fatal("a pipe for stdin does not choose the line mode")
	}
	ctx := context.Background()
	var s1, s2 string
	pick := "a"
	yes := false
	for _, err := range []error{
		a.input(ctx, "one", "", &s1, nil),
		a.selectOne(ctx, "two", "", &pick, huh.NewOption("A", "a"), huh.NewOption("B", "b")),
		a.confirm(ctx, "three", "", &yes),
		a.secret(ctx, "four", &s2),
	} {
		if err != nil {
			t.Fatalf("%v\n%s", err, errb.String())
		}
	}
	if s1 != "first" || pick != "b" || !yes || s2 != "last" {
		t.Fatalf("answers %q %q %v %q, want first b true last\n%s", s1, pick, yes, s2, errb.String())
	}
	var s3 string
	err := a.input(ctx, "five", "", &s3, nil)
	var ended errStdinEnded
	if !errors.As(err, &ended) || ended.question != "five" {
		t.Fatalf("at the end of input: %v, want the question named", err)
	}
	if strings.Contains(errb.String(), "last") {
		t.Fatalf("the hidden answer is shown:\n%s", errb.String())
	}

	// A choice out of range is asked again; input that ends then is the
	// end of input, not a crash of huh's select.
	a = newAsker(strings.NewReader("9\n"), &errb, false)
	err = a.selectOne(ctx, "six", "", &pick, huh.NewOption("A", "a"), huh.NewOption("B", "b"))
	if !errors.As(err, &ended) || ended.question != "six" {
		t.Fatalf("after a wrong choice and the end of input: %v, want the question named", err)
	}
}

// TestWizardInterruptedImport: Ctrl-C while the import waits on WorkOS
// (here a server that never answers) exits 130, and the import is printed
// last, marked as the command to run again.
func TestWizardInterruptedImport(t *testing.T) {
	noSecretEnv(t)
	dir := t.TempDir()
	users, orgs := wizardClerk(t, dir)
	db := filepath.Join(dir, "mig.db")
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	ctx, cancel := context.WithCancelCause(context.Background())
	var out bytes.Buffer
	errb := &lockedBuffer{}
	done := make(chan int, 1)
	in := answers("1", "1", users, orgs, "", "", "", "y", "duplicate account", "", "", hang.URL, wizardKey, "import")
	go func() { done <- run(ctx, []string{"--db", db, "wizard"}, strings.NewReader(in), &out, errb) }()
	for !strings.Contains(errb.String(), "$ WORKOS_SECRET_KEY=... mig") {
		select {
		case code := <-done:
			t.Fatalf("the wizard exited %d before the import\n%s", code, errb.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel(interrupted{os.Interrupt})
	if code := <-done; code != exitInterrupted {
		t.Fatalf("exit %d, want %d\n%s", code, exitInterrupted, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if want := "WORKOS_SECRET_KEY=... mig --db " + db + " import --endpoint " + hang.URL + "  # interrupted: run it again"; lines[len(lines)-1] != want {
		t.Fatalf("printed commands:\n%s\nwant the last:\n%s", out.String(), want)
	}
}
