package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/report"
	"github.com/mig-tools/mig/staging"
)

func init() { register(configureReportCmd) }

// configureReportCmd declares `mig report`: the migration's state as one
// self-contained HTML page (or Markdown for a ticket), from the staging
// database.
func configureReportCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var output, format, generatedAt string
	var rateLimit float64
	var examples int
	var outputSet, noPlan bool
	cmd := app.Command("report", "Write a report of the migration: staged and skipped, check findings, the import plan and outcome, failures with the retry command; HTML (one self-contained file) or Markdown.")
	cmd.Flag("output", "Where to write it: a file (created 0600, replaced whole) or - for stdout. Default: report.html for html, stdout for md.").Short('o').IsSetByUser(&outputSet).StringVar(&output)
	cmd.Flag("format", "html or md; default: md when --output ends in .md, html otherwise.").Short('f').EnumVar(&format, "html", "md")
	cmd.Flag("rate-limit", "Requests per second the plan's estimate assumes, as mig import --rate-limit: 0 is WorkOS's published limits.").Default("0").Float64Var(&rateLimit)
	cmd.Flag("no-plan", "Leave the import plan out: it is what takes time on a large database (about 20 s at a million users), and it waits for a running import to finish.").BoolVar(&noPlan)
	cmd.Flag("examples", "Findings shown per check rule.").Default("3").IntVar(&examples)
	cmd.Flag("generated-at", "The time the report says it was made (RFC 3339), for reproducible reports; default now.").StringVar(&generatedAt)
	return cmd, func(ctx context.Context, e *env) error {
		if format == "" {
			format = "html"
			if ext := strings.ToLower(filepath.Ext(output)); ext == ".md" || ext == ".markdown" {
				format = "md"
			}
		}
		switch {
		case outputSet && output == "":
			// kingpin hands a lone "-" over as "".
			output = "-"
		case output == "":
			output = "report.html"
			if format == "md" {
				output = "-"
			}
		}
		opts := report.Options{Examples: examples, EntityOrder: importer.Entities}
		if generatedAt != "" {
			t, err := time.Parse(time.RFC3339, generatedAt)
			if err != nil {
				return usageError{fmt.Sprintf("--generated-at %q: %v", generatedAt, err)}
			}
			opts.Now = t
		}
		rep, err := loadReport(ctx, e, opts, rateLimit, !noPlan)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if format == "md" {
			err = rep.Markdown(&buf)
		} else {
			err = rep.HTML(&buf)
		}
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if output == "-" {
			_, err := e.Stdout.Write(buf.Bytes())
			return err
		}
		if err := writePrivate(output, buf.Bytes()); err != nil {
			return fmt.Errorf("report --output %s: %w", output, err)
		}
		fmt.Fprintf(e.Stderr, "wrote %s (%s, %d bytes)\n", output, format, buf.Len())
		return nil
	}
}

// loadReport gathers the report: its numbers through a read-only
// connection, the failures grouped as `mig errors` groups them, and the
// plan as `mig import --plan` computes it.
func loadReport(ctx context.Context, e *env, opts report.Options, rateLimit float64, withPlan bool) (*report.Report, error) {
	db, err := staging.OpenReadOnly(ctx, e.DB)
	if err != nil {
		return nil, dbHint(err)
	}
	defer db.Close()
	rep, err := report.Load(ctx, db, opts)
	if err != nil {
		return nil, err
	}
	rep.Database = e.DB
	groups, err := importer.Errors(ctx, db)
	if err != nil {
		return nil, err
	}
	var retryable, fixFirst int64
	for _, g := range groups {
		rep.Failures = append(rep.Failures, report.FailureGroup{
			Entity: g.Entity, Status: g.Status, HTTPStatus: g.HTTPStatus, Code: g.Code, Subcodes: g.Subcodes,
			Retryable: g.Retryable, Rows: g.Rows, ExampleRow: g.ExampleRow, ExampleMessage: g.ExampleMessage,
			ExampleRequestID: g.ExampleRequestID, Fix: suggest(e.DB, g.Fix),
		})
		if g.Status != "failed" {
			continue
		}
		if g.Retryable {
			retryable += g.Rows
		} else {
			fixFirst += g.Rows
		}
	}
	rep.Retry = retryCommands(e.DB, retryable, fixFirst)
	db.Close()

	if !withPlan {
		rep.PlanError = suggest(e.DB, "left out (--no-plan); mig import --plan shows it")
		return rep, nil
	}
	plan, err := importPlan(ctx, e, rateLimit)
	if err != nil {
		rep.PlanError = err.Error()
		fmt.Fprintf(e.Stderr, "mig report: no import plan: %v\n", err)
	}
	rep.Plan = plan
	return rep, nil
}

// importPlan is `mig import --plan`: the importer counts the work inside a
// transaction it rolls back, so it needs the write lock for that long and
// leaves the database as it was. Its rows are put in the order the import
// runs.
func importPlan(ctx context.Context, e *env, rateLimit float64) (*report.Plan, error) {
	db, err := staging.OpenExisting(ctx, e.DB)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	s, err := importer.Run(ctx, db, importer.Options{Plan: true, RateLimit: rateLimit, Log: e.Log})
	if err != nil {
		return nil, explainBusy(e.DB, err)
	}
	if s.Plan == nil {
		return nil, errors.New("the importer returned no plan")
	}
	p := s.Plan
	out := &report.Plan{Writes: p.Writes, Reads: p.Reads, Other: p.Other,
		WriteRate: p.WriteRate, ReadRate: p.ReadRate, TotalRate: p.TotalRate, Estimate: p.Estimate}
	for _, r := range p.Rows {
		out.Rows = append(out.Rows, report.PlanRow{Entity: r.Entity, Kind: r.Kind, Rows: r.Rows, Requests: r.Requests})
	}
	slices.SortStableFunc(out.Rows, func(a, b report.PlanRow) int {
		return slices.Index(importer.Entities, a.Entity) - slices.Index(importer.Entities, b.Entity)
	})
	return out, nil
}

// retryCommands are the commands that retry the failed rows: those that
// failed with a retryable error at once, the others once their cause is
// fixed. They name the database unless it is the default one.
func retryCommands(dbPath string, retryable, fixFirst int64) []report.Command {
	var cmds []report.Command
	if retryable > 0 {
		cmds = append(cmds, report.Command{
			Why:  fmt.Sprintf("%d rows failed with a retryable error (rate limit, WorkOS error, no answer); retry them now:", retryable),
			Line: suggest(dbPath, "mig import --retry-failed"),
		})
	}
	if fixFirst > 0 {
		cmds = append(cmds, report.Command{
			Why:  fmt.Sprintf("%d rows failed for a cause a retry alone does not mend; apply the fixes above, then retry every failed row:", fixFirst),
			Line: suggest(dbPath, "mig import --retry-failed --all"),
		})
	}
	if len(cmds) > 0 {
		cmds = append(cmds, report.Command{
			Why:  "Every failed row with its cause, as CSV for whoever fixes the source data:",
			Line: suggest(dbPath, "mig errors --retry-csv failures.csv"),
		})
	}
	return cmds
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@%+=,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writePrivate replaces path with data, readable by its owner only (a
// report may hold email addresses): written to a temporary file in the same
// directory and renamed, so a reader never sees half a report and an
// existing file's wider mode is not kept.
func writePrivate(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
