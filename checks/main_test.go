package checks_test

import (
	"os"
	"testing"

	"github.com/mig-tools/mig/checks"
)

// TestMain registers the rules' SQL functions before any test opens a
// database, as mig does when it starts.
func TestMain(m *testing.M) {
	checks.RegisterSQLFunctions()
	os.Exit(m.Run())
}
