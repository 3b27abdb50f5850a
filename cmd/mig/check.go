package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/alecthomas/kingpin/v2"
	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/checks"
	"github.com/mig-tools/mig/progress"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureCheckCmd) }

func configureCheckCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var (
		opts     checks.Options
		format   string
		report   string
		undo     bool
		list     bool
		asJSON   bool
		examples int
	)
	cmd := app.Command("check", "Run the validation rules on the staging database; exit 3 when error findings remain.")
	cmd.Flag("rule", "Run only this rule (repeatable; see --list).").StringsVar(&opts.Rules)
	cmd.Flag("fix", "Apply the safe fixes (trim, lower-case domains, booleans, metadata values and keys, TOTP case), record each change, then check.").BoolVar(&opts.Fix)
	cmd.Flag("lowercase-emails", "With --fix, lower-case whole email addresses, not only their domain.").BoolVar(&opts.LowercaseEmails)
	cmd.Flag("drop-invalid-password-hashes", "Not a safe fix: import users whose hash WorkOS would reject without a password (they must reset it). Recorded, so --undo-fixes puts the hashes back.").BoolVar(&opts.DropInvalidPasswordHashes)
	cmd.Flag("undo-fixes", "Put back every value changed by earlier fixes, then check.").BoolVar(&undo)
	oneOf(cmd.Flag("format", "Output: a table for people, json (summary and every finding) or csv (every finding).").Short('f').Default("table"), &format, "table", "json", "csv")
	cmd.Flag("report", "Also write the JSON report, with every finding, to this file.").StringVar(&report)
	cmd.Flag("examples", "Findings shown per rule in the table.").Default("3").IntVar(&examples)
	cmd.Flag("json", "The same as --format json.").BoolVar(&asJSON)
	cmd.Flag("list", "List the rules (with --format or --json: as csv or JSON) and exit.").BoolVar(&list)
	return cmd, func(ctx context.Context, e *env) error {
		if asJSON {
			format = "json"
		}
		if list {
			return listRules(e.Stdout, format)
		}
		if opts.LowercaseEmails && !opts.Fix {
			return usageError{"--lowercase-emails works with --fix"}
		}
		if undo && (opts.Fix || opts.DropInvalidPasswordHashes) {
			return usageError{"--undo-fixes cannot be combined with --fix or --drop-invalid-password-hashes"}
		}
		db, err := staging.OpenExisting(ctx, e.DB)
		if err != nil {
			return dbHint(err)
		}
		defer db.Close()
		// The values put back are checked in the same transaction.
		opts.UndoFixes = undo
		opts.Examples = examples
		opts.Log = e.Log
		bar := progress.Start(e.Stderr, barsOn(e), "check", "rules", 0)
		opts.Progress = func(done, total int) {
			bar.SetTotal(int64(total))
			bar.SetCurrent(int64(done))
		}
		rep, err := checks.Run(ctx, db, opts)
		bar.Done()
		if err != nil {
			var unknown *checks.UnknownRuleError
			if errors.As(err, &unknown) {
				return withHint(err, "mig check --list")
			}
			return err
		}
		if res := rep.Undone; res != nil {
			e.Log.Info("undid fixes", "restored", res.Restored, "conflicts", res.Conflicts)
			if res.Conflicts > 0 {
				e.Log.Warn("some fixed values changed since they were fixed (a new ingest?) and were left as they are", "values", res.Conflicts)
			}
		}
		for _, f := range rep.Fixes {
			e.Log.Info("fixed", "fix", f.Name, "values", f.Changes, "fix_run", f.RunID)
		}
		e.Log.Info("checked", "rules", len(rep.Rules), "errors", rep.Errors(), "warnings", rep.Warnings(),
			"info", rep.Count(checks.Info), "elapsed", rep.Elapsed.Round(1e6))
		if report != "" {
			if err := writeReportFile(ctx, db.DB, rep, report); err != nil {
				return err
			}
		}
		switch format {
		case "json":
			err = writeReportJSON(ctx, e.Stdout, db.DB, rep)
		case "csv":
			err = writeFindingsCSV(ctx, e.Stdout, db.DB)
		default:
			writeCheckTable(e.Stdout, e.DB, rep)
		}
		if err != nil {
			return err
		}
		return rep.Err()
	}
}

func listRules(w io.Writer, format string) error {
	rules, err := checks.Rules()
	if err != nil {
		return err
	}
	if format != "table" {
		recs := make([][]any, len(rules))
		for i, r := range rules {
			fixes := r.Fixes
			if fixes == nil {
				fixes = []string{}
			}
			recs[i] = []any{r.Name, r.Severity, fixes, r.Description}
		}
		return writeRecords(w, format, []string{"rule", "severity", "fixes", "description"}, recs)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tFIX\tDESCRIPTION")
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.Severity, orDash(strings.Join(r.Fixes, ",")), r.Description)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeCheckTable prints the rules that found something, worst first, with
// a few example findings each, then the totals; the commands it suggests
// name the database at dbPath.
func writeCheckTable(w io.Writer, dbPath string, rep *checks.Report) {
	for _, f := range rep.Fixes {
		fmt.Fprintln(w, suggest(dbPath, fmt.Sprintf("fixed %d value(s) with %s (fix run %d; undo with mig check --undo-fixes)", f.Changes, f.Name, f.RunID)))
	}
	if len(rep.Fixes) > 0 {
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tFINDINGS\tFIX")
	clean := 0
	for _, sev := range []string{checks.Error, checks.Warning, checks.Info} {
		for _, r := range rep.Rules {
			if r.Severity != sev {
				continue
			}
			if r.Findings == 0 {
				clean++
				continue
			}
			n := strconv.Itoa(r.Findings)
			if r.Excluded > 0 {
				n += fmt.Sprintf(" (%d about excluded users)", r.Excluded)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.Severity, n, orDash(strings.Join(r.Fixes, ",")))
		}
	}
	tw.Flush()
	for _, sev := range []string{checks.Error, checks.Warning, checks.Info} {
		for _, r := range rep.Rules {
			if r.Severity != sev || r.Findings == 0 {
				continue
			}
			fmt.Fprintf(w, "\n%s (%s): %s\n", r.Name, r.Severity, r.Description)
			for _, f := range r.Examples {
				fmt.Fprintf(w, "  %s\n", describeFinding(f))
			}
			if more := r.Findings - len(r.Examples); more > 0 {
				fmt.Fprintln(w, suggest(dbPath, fmt.Sprintf("  ... and %d more: mig sql \"select * from findings where rule = '%s'\"", more, r.Name)))
			}
		}
	}
	excluded := ""
	if n := rep.Excluded(checks.Error) + rep.Excluded(checks.Warning) + rep.Excluded(checks.Info); n > 0 {
		excluded = fmt.Sprintf(" (and %d finding(s) about users excluded with mig exclude, which block nothing)", n)
	}
	fmt.Fprintf(w, "\n%d error(s), %d warning(s), %d info; %d of %d rules found nothing%s\n",
		rep.Errors(), rep.Warnings(), rep.Open(checks.Info), clean, len(rep.Rules), excluded)
}

func describeFinding(f checks.Finding) string {
	var where []string
	if f.Source != "" {
		where = append(where, f.Source)
	}
	if f.SourceID != "" {
		where = append(where, f.SourceID)
	}
	if f.RowNumber != nil {
		where = append(where, "line "+strconv.FormatInt(*f.RowNumber, 10))
	}
	if len(where) == 0 {
		return cell(f.Message)
	}
	return strings.Join(where, " ") + ": " + f.Message
}

// reportHeader is the JSON report without its findings, which are streamed
// after it.
type reportHeader struct {
	Rules  []checks.RuleResult `json:"rules"`
	Fixes  []checks.FixResult  `json:"fixes"`
	Totals map[string]int      `json:"totals"`
}

func writeReportJSON(ctx context.Context, w io.Writer, db *sqlx.DB, rep *checks.Report) error {
	h := reportHeader{Rules: rep.Rules, Fixes: rep.Fixes, Totals: map[string]int{
		checks.Error: rep.Errors(), checks.Warning: rep.Warnings(), checks.Info: rep.Open(checks.Info),
		"excluded": rep.Excluded(checks.Error) + rep.Excluded(checks.Warning) + rep.Excluded(checks.Info)}}
	if h.Fixes == nil {
		h.Fixes = []checks.FixResult{}
	}
	b, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return err
	}
	// Splice the findings array in before the closing brace.
	b = b[:len(b)-2]
	if _, err := fmt.Fprintf(w, "%s,\n  \"findings\": [", b); err != nil {
		return err
	}
	n := 0
	err = checks.EachFinding(ctx, db, func(f checks.Finding) error {
		line, err := json.Marshal(f)
		if err != nil {
			return err
		}
		sep := ","
		if n == 0 {
			sep = ""
		}
		n++
		_, err = fmt.Fprintf(w, "%s\n    %s", sep, line)
		return err
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n  ]\n}\n")
	return err
}

// writeReportFile writes the report next to its final name and renames it,
// so a crash never leaves half a report. It holds email addresses: 0600.
func writeReportFile(ctx context.Context, db *sqlx.DB, rep *checks.Report, path string) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := writeReportJSON(ctx, f, db, rep); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

func writeFindingsCSV(ctx context.Context, w io.Writer, db *sqlx.DB) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"rule", "severity", "entity", "entity_id", "source", "source_id", "row_number", "message"})
	opt := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	err := checks.EachFinding(ctx, db, func(f checks.Finding) error {
		return cw.Write([]string{f.Rule, f.Severity, f.Entity, opt(f.EntityID), f.Source, f.SourceID, opt(f.RowNumber), f.Message})
	})
	cw.Flush()
	return firstErr(err, cw.Error())
}

// barsOn says whether progress is drawn as bars: on a terminal, unless
// debug logging writes lines of its own there, which a bar's redraws would
// tear.
func barsOn(e *env) bool {
	return progress.IsTerminal(e.Stderr) && e.LogLevel != "debug"
}
