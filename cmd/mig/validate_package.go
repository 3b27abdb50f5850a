package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/mig-tools/mig/checks"
	"github.com/mig-tools/mig/ingest/migpackage"
	"github.com/mig-tools/mig/pkgcontract"
)

func init() { register(configureValidatePackageCmd) }

// packageReport is what validate-package found, and what --json prints.
// Errors, Warnings and ByCode count every finding, whoever found it: the
// contract check, the ingest of the package (rows it cannot stage, users it
// skips, its warnings) and mig check's rules. Importable is Errors == 0.
type packageReport struct {
	Dir        string              `json:"dir"`
	Provider   string              `json:"provider,omitempty"`
	Importable bool                `json:"importable"`
	Errors     int                 `json:"errors"`
	Warnings   int                 `json:"warnings"`
	ByCode     map[string]int      `json:"by_code"` // findings by issue code or rule name
	Records    map[string]int      `json:"records"`
	Issues     []pkgcontract.Issue `json:"issues"` // of the package and its ingest, the first of each code per file
	Truncated  bool                `json:"truncated,omitempty"`
	Checks     *checks.Report      `json:"checks,omitempty"`

	// packageErrors and packageWarnings are those of Issues, for the text
	// report.
	packageErrors, packageWarnings int
}

func configureValidatePackageCmd(app *kingpin.Application, e *env) (*kingpin.CmdClause, runFunc) {
	var dir string
	var asJSON, runChecks bool
	var max int
	cmd := app.Command("validate-package", "Validate a migration package: the contract, every row as mig ingest package would stage it and mig check's rules judge it, and the references between files. Exit 0 only when it is importable.")
	cmd.Arg("dir", "The package directory.").Required().ExistingDirVar(&dir)
	cmd.Flag("json", "Print the report as JSON on stdout.").BoolVar(&asJSON)
	cmd.Flag("checks", "Stage the package in a private temporary database, as mig ingest package would, and apply mig check's rules (--no-checks checks the contract only).").Default("true").BoolVar(&runChecks)
	cmd.Flag("max-issues", "Issues listed per code and file, and findings per rule (all are counted).").Default("20").IntVar(&max)
	return cmd, func(ctx context.Context, e *env) error {
		r, err := validatePackage(ctx, dir, runChecks, max, e.Log)
		if err != nil {
			return err
		}
		if asJSON {
			enc := json.NewEncoder(e.Stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(r); err != nil {
				return err
			}
		} else {
			printPackageReport(e, r)
		}
		if !r.Importable {
			return &notImportableError{dir: dir, errors: r.Errors, warnings: r.Warnings}
		}
		return nil
	}
}

// validatePackage checks the package in dir against the contract and,
// with rules, stages it in a scratch database (migpackage.Scratch) through
// the code of `mig ingest package` while the contract is checked, then
// runs every rule of `mig check` on what was staged. Each finds what the
// others cannot, and the report has all of it: a package that breaks the
// contract still has every row that can be staged judged by the rules.
func validatePackage(ctx context.Context, dir string, rules bool, max int, log *slog.Logger) (*packageReport, error) {
	if max <= 0 {
		max = 20
	}
	rep := migpackage.NewReport(dir, max)
	if !rules {
		if err := migpackage.Check(ctx, rep, migpackage.CheckOptions{}); err != nil {
			return nil, err
		}
		return summarize(rep, nil), nil
	}
	sc, err := migpackage.OpenScratch(ctx, "")
	if err != nil {
		return nil, err
	}
	defer sc.Close()
	// The contract check reads the files on one core while the ingest
	// writes the database on the other.
	checked := make(chan error, 1)
	go func() { checked <- migpackage.Check(ctx, rep, migpackage.CheckOptions{Workers: 1}) }()
	_, ierr := sc.Ingest(ctx, rep)
	if err := errors.Join(<-checked, ierr); err != nil {
		return nil, err
	}
	if err := sc.AddFindings(ctx, rep); err != nil {
		return nil, fmt.Errorf("validate-package %s: %w", dir, err)
	}
	cr, err := checks.Run(ctx, sc.DB, checks.Options{Log: log, Examples: max})
	if err != nil {
		return nil, fmt.Errorf("run checks on %s: %w", dir, err)
	}
	rep.Sort()
	return summarize(rep, cr), nil
}

// summarize adds the rules' findings to the package's issues.
func summarize(rep *migpackage.Report, cr *checks.Report) *packageReport {
	r := &packageReport{Dir: rep.Dir, Provider: rep.Provider, Records: rep.Records, Issues: rep.Issues,
		Truncated: rep.Truncated, Checks: cr, ByCode: maps.Clone(rep.ByCode),
		Errors: rep.Errors, Warnings: rep.Warnings, packageErrors: rep.Errors, packageWarnings: rep.Warnings}
	if cr != nil {
		for _, rr := range cr.Rules {
			if rr.Findings > 0 {
				r.ByCode[rr.Name] += rr.Findings
			}
		}
		r.Errors += cr.Errors()
		r.Warnings += cr.Warnings()
	}
	r.Importable = r.Errors == 0
	return r
}

func printPackageReport(e *env, r *packageReport) {
	state := "importable"
	if !r.Importable {
		state = "NOT importable"
	}
	fmt.Fprintf(e.Stdout, "package %s (provider %s): %s (%d errors, %d warnings)\n", r.Dir, r.Provider, state, r.Errors, r.Warnings)
	var rec []string
	for _, f := range pkgcontract.Files {
		if n, ok := r.Records[f.Key]; ok && f.Counted {
			rec = append(rec, fmt.Sprintf("%s %d", f.Key, n))
		}
	}
	fmt.Fprintf(e.Stdout, "  records: %s\n", strings.Join(rec, ", "))
	fmt.Fprintf(e.Stdout, "  package: %d errors, %d warnings\n", r.packageErrors, r.packageWarnings)
	for _, is := range r.Issues {
		where := is.File
		if is.Line > 0 {
			where = fmt.Sprintf("%s:%d", is.File, is.Line)
		}
		if is.Field != "" {
			where += ": " + is.Field
		}
		fmt.Fprintf(e.Stdout, "%-7s %s: %s [%s]\n", strings.ToUpper(is.Severity), where, is.Message, is.Code)
	}
	if r.Truncated {
		fmt.Fprintf(e.Stdout, "(more issues were counted than listed; --max-issues lists more)\n")
	}
	if r.Checks != nil {
		fmt.Fprintf(e.Stdout, "  mig check rules: %d errors, %d warnings\n", r.Checks.Errors(), r.Checks.Warnings())
		for _, rr := range r.Checks.Rules {
			if rr.Findings == 0 {
				continue
			}
			fmt.Fprintf(e.Stdout, "%-7s check %s: %d findings\n", strings.ToUpper(rr.Severity), rr.Name, rr.Findings)
			for _, f := range rr.Examples {
				line := ""
				if f.RowNumber != nil {
					line = fmt.Sprintf(" (line %d)", *f.RowNumber)
				}
				fmt.Fprintf(e.Stdout, "          %s%s: %s\n", f.SourceID, line, f.Message)
			}
		}
	}
}

type notImportableError struct {
	dir              string
	errors, warnings int
}

func (e *notImportableError) Error() string {
	return fmt.Sprintf("%s is not importable: %d errors, %d warnings", e.dir, e.errors, e.warnings)
}
