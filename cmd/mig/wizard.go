package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/alecthomas/kingpin/v2"
	"github.com/charmbracelet/huh"

	"github.com/mig-tools/mig/checks"
	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureWizardCmd) }

func configureWizardCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var accessible bool
	cmd := app.Command("wizard", "A guided migration: asks for the source and its inputs, then runs ingest, check, verify-password, emit, "+
		"the plan, a rehearsal and, once confirmed, the import, and prints on stdout the commands it ran. "+
		"Started again, it goes on from where the staging database stands.")
	cmd.Flag("accessible", "Ask line by line, reading one answer per line, even in a terminal "+
		"(the mode used anyway when stdin or stderr is not a terminal, so answers can be piped).").BoolVar(&accessible)
	return cmd, func(ctx context.Context, e *env) error {
		w := &wizard{e: e, ask: newAsker(e.Stdin, e.Stderr, accessible), secrets: map[string]string{}}
		err := w.run(ctx)
		w.printCommands()
		var stop wizardStop
		if errors.As(err, &stop) {
			fmt.Fprintf(e.Stderr, "\n%s\n", stop.msg)
			return stop.err
		}
		return err
	}
}

// wizard is one session of `mig wizard`. Every step is a real mig command,
// parsed and run by the same kingpin application in this process (as `mig
// demo` runs its steps), so what the wizard does is what the printed
// commands do; re-executing the binary would do the same at the cost of a
// process per step and of finding the binary (go run, the tests).
type wizard struct {
	e   *env
	ask *asker
	ran []ranCommand
	// secrets holds what was typed at hidden prompts, by the environment
	// variable the command reads it from; it is set in the environment only
	// while that command runs, and never printed.
	secrets map[string]string

	// The import options of this session, asked once.
	importAsked bool
	orgID       string
	endpoint    string

	offeredFix, offeredExclude, retried, verified bool
}

// ranCommand is a command the wizard ran, as it is printed: the arguments
// after `mig --db DB`, and the environment variables it took a secret from.
type ranCommand struct {
	env         []string
	args        []string
	interrupted bool // stopped by Ctrl-C before it finished
}

// wizardStop ends the session on purpose: msg says why and what to do,
// err (nil for a clean stop) sets the exit code.
type wizardStop struct {
	msg string
	err error
}

func (s wizardStop) Error() string { return s.msg }

// Environment variables the steps read secrets from.
const (
	envWorkOSKey = "WORKOS_SECRET_KEY"
	envWorkOSURL = "WORKOS_API_URL"
)

// errRowsFailed ends a session whose import left failed rows.
var errRowsFailed = errors.New("rows failed to import")

// errDifferences ends a session whose reconciliation found WorkOS
// different from what was imported.
var errDifferences = errors.New("WorkOS differs from what was imported")

// excludeErrorUsers is the `mig exclude --where` predicate that sets aside
// the users whose error findings no fix repaired: the one `mig status`
// suggests for its exclude step.
const excludeErrorUsers = "id IN (SELECT user_id FROM finding_users WHERE severity = 'error')"

func (w *wizard) say(format string, args ...any) {
	fmt.Fprintf(w.e.Stderr, format+"\n", args...)
}

// run asks and runs until the migration is done or stops.
func (w *wizard) run(ctx context.Context) error {
	w.say("mig wizard: a guided migration into WorkOS. Each step runs a mig command; the commands are printed at the end (stdout).")
	step, err := w.where(ctx)
	if err != nil {
		return err
	}
	if step != "ingest" {
		w.say("\nThe staging database %s already holds a migration:", w.e.DB)
		if _, err := w.read(ctx, w.e.Stderr, "status"); err != nil {
			return err
		}
		what := "Continue: " + stepWords[step]
		choice := "continue"
		if err := w.ask.selectOne(ctx, "Where to go on from?", "", &choice,
			huh.NewOption(what, "continue"),
			huh.NewOption("Ingest again: a newer export of the source, or another source", "ingest")); err != nil {
			return err
		}
		if choice == "ingest" {
			step = "ingest"
		}
	}
	for range 50 {
		switch step {
		case "ingest":
			err = w.ingest(ctx)
		case "check", "check_again":
			if err = w.step(ctx, []int{exitOK, exitFindings}, nil, "check"); err == nil {
				err = w.afterCheck(ctx)
			}
		case "fix", "exclude":
			err = w.afterCheck(ctx)
		case "plan":
			err = w.prepare(ctx)
			if err == nil {
				err = w.importNow(ctx)
			}
		case "import":
			err = w.importNow(ctx)
		case "retry":
			err = w.retry(ctx)
		case "reconcile":
			// The proof that nothing was lost: read WorkOS back and
			// compare it with what was imported.
			if err = w.destination(ctx); err == nil {
				err = w.step(ctx, []int{exitOK, exitDifferences}, []string{envWorkOSKey}, "reconcile", "--endpoint", w.endpoint)
			}
		case "differences":
			return wizardStop{msg: "mig reconcile found WorkOS different from what was imported: mig report shows where (reconcile_findings in the staging database); " +
				"mig import --retry-failed --all sends again what is missing or different, then run mig wizard again.", err: errDifferences}
		case "done":
			w.say("\nThe migration is done: every staged row is in WorkOS, and mig reconcile read it back as imported.")
			return nil
		default:
			return fmt.Errorf("mig status gave the step %q, which the wizard does not know", step)
		}
		if err != nil {
			return err
		}
		if step, err = w.where(ctx); err != nil {
			return err
		}
	}
	return errors.New("the wizard went round the same steps 50 times; mig status says where things stand")
}

// stepWords says what the wizard does at each step of next_step.sql.
var stepWords = map[string]string{
	"ingest":      "ingest a source",
	"check":       "check what is staged (mig check)",
	"check_again": "check again: the staging changed since the last check (mig check)",
	"fix":         "error findings block the import: fix or exclude (mig check --fix, mig exclude)",
	"exclude":     "error findings no fix repairs block the import: exclude their users (mig exclude)",
	"plan":        "verify a password, write a package, plan, rehearse, then import",
	"import":      "import the rows not imported yet (mig import resumes)",
	"retry":       "rows failed to import: see why (mig errors) and retry them (mig import --retry-failed)",
	"reconcile":   "nothing left to import: mig reconcile reads WorkOS back and compares",
	"differences": "the last mig reconcile found WorkOS different: mig report shows where",
	"done":        "nothing left: the migration is done",
}

// where reads the step the migration is at, as `mig status --json` says it
// (sqlqueries/inspect/next_step.sql decides it). A database that does not
// exist yet is at the ingest.
func (w *wizard) where(ctx context.Context) (string, error) {
	if _, err := os.Stat(w.e.DB); errors.Is(err, os.ErrNotExist) {
		return "ingest", nil
	}
	var out bytes.Buffer
	if _, err := w.read(ctx, &out, "status", "--json"); err != nil {
		return "", err
	}
	var st struct {
		Next struct {
			Step string `json:"step"`
		} `json:"next_step"`
	}
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		return "", fmt.Errorf("read mig status --json: %w", err)
	}
	return st.Next.Step, nil
}

// read runs a command that only reads, for the wizard's own use: its
// output goes to out, and it is not one of the commands printed at the end.
func (w *wizard) read(ctx context.Context, out io.Writer, args ...string) (int, error) {
	stdout := w.e.Stderr
	if out != nil {
		stdout = out
	}
	code := run(ctx, w.argv(args), strings.NewReader(""), stdout, w.e.Stderr)
	if ctx.Err() != nil {
		return code, ctx.Err()
	}
	if code != exitOK {
		return code, fmt.Errorf("mig %s exited %d (see above)", strings.Join(args, " "), code)
	}
	return code, nil
}

func (w *wizard) argv(args []string) []string {
	return append([]string{"--db", w.e.DB, "--log-level", w.e.LogLevel}, args...)
}

// step runs one command of the migration and records it when it exits
// with a code in ok; another code is an error (the command said why on
// stderr). env names the environment variables it takes secrets from.
func (w *wizard) step(ctx context.Context, ok []int, env []string, args ...string) error {
	_, err := w.stepCode(ctx, ok, env, "", args...)
	return err
}

// stepCode is step, returning the exit code, with stdin given to the
// command (verify-password's password).
func (w *wizard) stepCode(ctx context.Context, ok []int, env []string, stdin string, args ...string) (int, error) {
	c := ranCommand{env: env, args: args}
	w.say("\n$ %s", w.show(c))
	for _, name := range env {
		v, typed := w.secrets[name]
		if !typed {
			continue
		}
		prev, had := os.LookupEnv(name)
		os.Setenv(name, v)
		defer func() {
			if had {
				os.Setenv(name, prev)
			} else {
				os.Unsetenv(name)
			}
		}()
	}
	// The command's data goes to stderr with the rest of what people
	// read: the wizard's stdout is the list of commands.
	code := run(ctx, w.argv(args), strings.NewReader(stdin), w.e.Stderr, w.e.Stderr)
	if ctx.Err() != nil {
		// It ran, in part: it is printed, as the one to run again (an
		// import resumes, an ingest starts over).
		c.interrupted = true
		w.ran = append(w.ran, c)
		return code, ctx.Err()
	}
	if !slices.Contains(ok, code) {
		return code, fmt.Errorf("mig %s exited %d (its error is above)", args[0], code)
	}
	w.ran = append(w.ran, c)
	return code, nil
}

// show is a command as a shell runs it.
func (w *wizard) show(c ranCommand) string {
	var parts []string
	for _, name := range c.env {
		parts = append(parts, name+"=...")
	}
	parts = append(parts, "mig")
	if !isDefaultDB(w.e.DB) {
		parts = append(parts, "--db", shellWord(w.e.DB))
	}
	for _, a := range c.args {
		parts = append(parts, shellWord(a))
	}
	return strings.Join(parts, " ")
}

// printCommands writes the commands run, one a line, on stdout: what
// repeats the migration without questions. Secrets are named, never given.
func (w *wizard) printCommands() {
	if len(w.ran) == 0 {
		w.say("\nNo mig command was run.")
		return
	}
	var secret []string
	for _, c := range w.ran {
		for _, name := range c.env {
			if !slices.Contains(secret, name) {
				secret = append(secret, name)
			}
		}
	}
	w.say("\nThe commands run, in order (on stdout), to repeat this migration without questions:")
	if len(secret) > 0 {
		w.say("(NAME=... stands for a secret to give in the environment: %s)", strings.Join(secret, ", "))
	}
	for _, c := range w.ran {
		line := w.show(c)
		if c.interrupted {
			line += "  # interrupted: run it again"
		}
		fmt.Fprintln(w.e.Stdout, line)
	}
}

// openFinding is a count of open findings of one rule.
type openFinding struct {
	Rule     string `db:"rule"`
	Severity string `db:"severity"`
	N        int64  `db:"n"`
}

// openFindings reads the open findings by rule, and the fixes (from the
// rule files' headers) that apply to them.
func (w *wizard) openFindings(ctx context.Context) (errs int64, fixes []string, err error) {
	db, err := staging.OpenReadOnly(ctx, w.e.DB)
	if err != nil {
		return 0, nil, dbHint(err)
	}
	defer db.Close()
	var fs []openFinding
	if err := db.SelectContext(ctx, &fs, sqlqueries.MustLoad("wizard/open_findings.sql").SQL); err != nil {
		return 0, nil, fmt.Errorf("wizard: %w", err)
	}
	rules, err := checks.Rules()
	if err != nil {
		return 0, nil, err
	}
	all, err := checks.Fixes()
	if err != nil {
		return 0, nil, err
	}
	// The safe fixes are those plain --fix applies: the others are asked
	// for by a flag of their own.
	safe := map[string]bool{}
	for _, f := range all {
		safe[f.Name] = f.Flag == ""
	}
	for _, f := range fs {
		if f.Severity == checks.Error {
			errs += f.N
		}
		for _, r := range rules {
			if r.Name == f.Rule {
				for _, fix := range r.Fixes {
					if safe[fix] && !slices.Contains(fixes, fix) {
						fixes = append(fixes, fix)
					}
				}
			}
		}
	}
	return errs, fixes, nil
}

// afterCheck offers the safe fixes when they apply to open findings, then
// the exclusion of the users whose errors remain.
func (w *wizard) afterCheck(ctx context.Context) error {
	errs, fixes, err := w.openFindings(ctx)
	if err != nil {
		return err
	}
	if len(fixes) > 0 && !w.offeredFix {
		w.offeredFix = true
		yes := true
		if err := w.ask.confirm(ctx, "Apply the safe fixes (mig check --fix)?",
			"Fixes for open findings: "+strings.Join(fixes, ", ")+". Each change is recorded; mig check --undo-fixes puts the values back.", &yes); err != nil {
			return err
		}
		if yes {
			if err := w.step(ctx, []int{exitOK, exitFindings}, nil, "check", "--fix"); err != nil {
				return err
			}
			if errs, _, err = w.openFindings(ctx); err != nil {
				return err
			}
		}
	}
	if errs == 0 {
		return nil
	}
	blocked := wizardStop{
		msg: fmt.Sprintf("%d error finding(s) block the import. Correct the export and ingest it again, or set their users aside "+
			"(mig exclude --where %s --reason WHY), then run mig wizard again.", errs, shellWord(excludeErrorUsers)),
		err: &checks.FindingsError{Errors: int(errs)},
	}
	if w.offeredExclude {
		return blocked
	}
	w.offeredExclude = true
	w.say("\n%d error finding(s) remain, which no safe fix repairs. These users would be set aside:", errs)
	if _, err := w.read(ctx, nil, "exclude", "--where", excludeErrorUsers, "--dry-run"); err != nil {
		return err
	}
	var reason string
	if err := w.ask.input(ctx, "Exclude them? Type the reason (empty: do not exclude, stop here)",
		"mig exclude keeps the reason with each user; they are never sent, and mig exclude --undo makes them importable again.", &reason, nil); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return blocked
	}
	return w.step(ctx, []int{exitOK}, nil, "exclude", "--where", excludeErrorUsers, "--reason", strings.TrimSpace(reason))
}

// prepare is what comes before the first import: a known password checked
// against its staged hash, a package written, the plan and the rehearsal.
func (w *wizard) prepare(ctx context.Context) error {
	if err := w.verifyPassword(ctx); err != nil {
		return err
	}
	var dir string
	if err := w.ask.input(ctx, "Write a migration package too? Its directory (empty: skip)",
		"mig emit writes the package workos-migrate import-package reads (0600 files: it holds password hashes).", &dir, nil); err != nil {
		return err
	}
	if dir = strings.TrimSpace(dir); dir != "" {
		args := []string{"emit", "--output-dir", dir}
		if _, err := os.Stat(dir); err == nil {
			over := false
			if err := w.ask.confirm(ctx, dir+" exists: replace the package in it?", "", &over); err != nil {
				return err
			}
			if !over {
				return wizardStop{msg: "Stopped: " + dir + " was left as it is; run mig wizard again and give another directory."}
			}
			args = append(args, "--overwrite")
		}
		if err := w.step(ctx, []int{exitOK}, nil, args...); err != nil {
			return err
		}
	}
	if err := w.importOptions(ctx); err != nil {
		return err
	}
	w.say("\nThe plan: what the import would send, and how long it would take at WorkOS's rate limits.")
	if err := w.step(ctx, []int{exitOK}, nil, w.importArgs("--plan")...); err != nil {
		return err
	}
	w.say("\nThe rehearsal: every row, on a copy of the staging database, against an in-process WorkOS emulator; nothing is sent.")
	return w.step(ctx, []int{exitOK, exitPartial}, nil, w.importArgs("--dry-run")...)
}

// verifyPassword offers mig verify-password on one account when passwords
// are staged.
func (w *wizard) verifyPassword(ctx context.Context) error {
	if w.verified {
		return nil
	}
	w.verified = true
	db, err := staging.OpenReadOnly(ctx, w.e.DB)
	if err != nil {
		return dbHint(err)
	}
	var pu struct {
		N     int64  `db:"n"`
		Email string `db:"email"`
	}
	err = db.GetContext(ctx, &pu, sqlqueries.MustLoad("wizard/password_users.sql").SQL)
	db.Close()
	if err != nil {
		return fmt.Errorf("wizard: %w", err)
	}
	if pu.N == 0 {
		return nil
	}
	var email string
	if err := w.ask.input(ctx, "Check a known password against its staged hash: the account's email (empty: skip)",
		fmt.Sprintf("%d staged user(s) have a password, e.g. %s. A match proves the exported hash parameters right before anyone is imported.", pu.N, pu.Email),
		&email, nil); err != nil {
		return err
	}
	if email = strings.TrimSpace(email); email == "" {
		return nil
	}
	var pw string
	if err := w.ask.secret(ctx, "Password of "+email+" (hidden)", &pw); err != nil {
		return err
	}
	code, err := w.stepCode(ctx, []int{exitOK}, nil, pw+"\n", "verify-password", email)
	if err == nil {
		return nil
	}
	if code != exitFailure {
		return err
	}
	goOn := false
	if err := w.ask.confirm(ctx, "The password did not match (or could not be checked). Go on anyway?",
		"A wrong hash parameter would leave every user unable to sign in with a password.", &goOn); err != nil {
		return err
	}
	if !goOn {
		return wizardStop{msg: "Stopped before the import: the password did not match. Check the export's hash parameters, ingest again, then run mig wizard again.", err: err}
	}
	return nil
}

// importOptions asks, once a session, how users join organizations when
// the ingest questions did not: one organization for everyone, or as
// staged.
func (w *wizard) importOptions(ctx context.Context) error {
	if w.importAsked {
		return nil
	}
	w.importAsked = true
	return w.ask.input(ctx, "Put every user into one existing WorkOS organization? Its id, org_... (empty: as staged)",
		"mig import --org-id makes every staged user a member of that organization.", &w.orgID, validOrgID)
}

func validOrgID(s string) error {
	if s = strings.TrimSpace(s); s != "" && !strings.HasPrefix(s, "org_") {
		return errors.New("a WorkOS organization id starts with org_")
	}
	return nil
}

// importArgs is `import` with the session's options and extra.
func (w *wizard) importArgs(extra ...string) []string {
	args := []string{"import"}
	args = append(args, extra...)
	if id := strings.TrimSpace(w.orgID); id != "" {
		args = append(args, "--org-id", id)
	}
	return args
}

// destination asks where WorkOS is and for its key, once a session; the
// key comes from WORKOS_SECRET_KEY when it is set, otherwise it is typed
// hidden.
func (w *wizard) destination(ctx context.Context) error {
	if w.endpoint == "" {
		def := importer.DefaultEndpoint
		if v := os.Getenv(envWorkOSURL); v != "" {
			def = v
		}
		w.endpoint = def
		if err := w.ask.input(ctx, "WorkOS API URL", "Where the import sends the rows (a mig emulator's URL for a rehearsal).", &w.endpoint, validURL); err != nil {
			return err
		}
		// An empty answer takes the URL offered.
		w.endpoint = cmp.Or(strings.TrimSpace(w.endpoint), def)
	}
	if os.Getenv(envWorkOSKey) == "" && w.secrets[envWorkOSKey] == "" {
		var key string
		if err := w.ask.secret(ctx, "WorkOS secret key, sk_... (hidden; "+envWorkOSKey+" is not set)", &key); err != nil {
			return err
		}
		w.secrets[envWorkOSKey] = strings.TrimSpace(key)
	}
	return nil
}

// validURL accepts an http(s) URL, or nothing (the default offered: the
// line mode checks the line typed before it puts the default in).
func validURL(s string) error {
	s = strings.TrimSpace(s)
	if s != "" && !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return errors.New("want an http(s) URL such as " + importer.DefaultEndpoint)
	}
	return nil
}

// sendArgs is importArgs with the endpoint, which is always given, so
// that the printed command does not depend on WORKOS_API_URL.
func (w *wizard) sendArgs(extra ...string) []string {
	return append(w.importArgs(extra...), "--endpoint", w.endpoint)
}

// importNow runs the real import after a typed confirmation.
func (w *wizard) importNow(ctx context.Context) error {
	if err := w.importOptions(ctx); err != nil {
		return err
	}
	if err := w.destination(ctx); err != nil {
		return err
	}
	var typed string
	if err := w.ask.input(ctx, "Type import to send the staged rows to "+w.endpoint+" (anything else stops here)",
		"This writes to WorkOS. An import that stops resumes where it stopped; nothing is created twice.", &typed, nil); err != nil {
		return err
	}
	if strings.TrimSpace(typed) != "import" {
		return wizardStop{msg: "Not confirmed: nothing was sent to WorkOS. Run mig wizard again to go on."}
	}
	return w.step(ctx, []int{exitOK, exitPartial}, []string{envWorkOSKey}, w.sendArgs()...)
}

// retry shows why rows failed and offers, once, to retry them.
func (w *wizard) retry(ctx context.Context) error {
	if err := w.step(ctx, []int{exitOK}, nil, "errors"); err != nil {
		return err
	}
	if w.retried {
		return wizardStop{msg: "Rows still fail: mig errors above says why and what to fix; then mig import --retry-failed (--all for every failed row).",
			err: errRowsFailed}
	}
	w.retried = true
	yes := true
	if err := w.ask.confirm(ctx, "Retry the rows that failed with a retryable error (mig import --retry-failed)?", "", &yes); err != nil {
		return err
	}
	if !yes {
		return wizardStop{msg: "Not retried: mig import --retry-failed retries them later.", err: errRowsFailed}
	}
	if err := w.importOptions(ctx); err != nil {
		return err
	}
	if err := w.destination(ctx); err != nil {
		return err
	}
	return w.step(ctx, []int{exitOK, exitPartial}, []string{envWorkOSKey}, w.sendArgs("--retry-failed")...)
}
