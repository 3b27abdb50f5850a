package main

import (
	"testing"

	"github.com/mig-tools/mig/importer"
)

// TestReconcileRollbackExitCodes: the errors of reconcile and rollback map
// to the exit codes the table in exit.go documents.
func TestReconcileRollbackExitCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{&importer.DifferencesError{Summary: &importer.ReconcileSummary{}}, exitDifferences},
		{&importer.RollbackPartialError{Failed: 1}, exitPartial},
		{&importer.MissingError{}, exitFailure},
		{&importer.AuthError{}, exitAuth},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%T) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
