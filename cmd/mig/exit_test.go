package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/mig-tools/mig/checks"
	"github.com/mig-tools/mig/exclude"
	"github.com/mig-tools/mig/importer"
)

// TestExitCodes: every error with an exit code of its own gets it, also
// wrapped or joined with another error, and any other error is a failure.
func TestExitCodes(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("mig something: %w", err) }
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"usage", usageError{"--all goes with --retry-failed"}, exitUsage},
		{"unknown rule", &checks.UnknownRuleError{Names: []string{"x"}}, exitUsage},
		{"check findings", &checks.FindingsError{Errors: 2}, exitFindings},
		{"import refused for check errors", &importer.CheckErrorsError{}, exitFindings},
		{"package not importable", &notImportableError{}, exitFindings},
		{"key refused", &importer.AuthError{}, exitAuth},
		{"partial import", &importer.PartialError{Failed: 1}, exitPartial},
		{"exclude --where that is not a condition", wrap(&exclude.PredicateError{Predicate: "1; drop", Err: errors.New("x")}), exitUsage},
		{"partial rollback", &importer.RollbackPartialError{Failed: 1}, exitPartial},
		{"reconcile differences", wrap(&importer.DifferencesError{}), exitDifferences},
		{"partial import, wrapped", wrap(&importer.PartialError{Failed: 1}), exitPartial},
		{"partial import, and the summary file failed", errors.Join(&importer.PartialError{Failed: 1}, errors.New("--summary: disk full")), exitPartial},
		{"key refused, wrapped", wrap(&importer.AuthError{}), exitAuth},
		{"password mismatch", mismatchError{msg: "1 of 1 did not match"}, exitFailure},
		{"interrupted", context.Canceled, exitFailure},
		{"anything else", errors.New("boom"), exitFailure},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("%s: exit %d, want %d", tc.name, got, tc.want)
		}
	}
}
