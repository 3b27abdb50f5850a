package importer_test

import (
	"strings"
	"testing"

	"github.com/mig-tools/mig/importer"
)

// TestFixAndDocNameTheSameCause checks that the advice mig errors prints
// and the section it links to come from one key of the importer's fixes
// map, chosen by sub-code first, then code, then the class of the HTTP
// status.
func TestFixAndDocNameTheSameCause(t *testing.T) {
	cases := []struct {
		code      string
		subcodes  []string
		status    int
		retryable bool
		want      string
	}{
		{"invalid_role", nil, 422, false, "invalid_role"},
		{"user_creation_error", []string{"email_not_available"}, 400, false, "email_not_available"},
		{"user_creation_error", []string{"no_such_subcode"}, 400, false, "user_creation_error"},
		{"rate_limit_exceeded", nil, 429, true, "http-429"},
		{"", nil, 503, true, "http-5xx"},
		{"server_error", nil, 500, true, "http-5xx"},
		{"no_such_code", nil, 0, true, "http-5xx"},
		{"forbidden", nil, 403, false, "http-403"},
		{"entity_not_found", nil, 404, false, "http-404"},
		{"no_such_code", nil, 400, false, "other-error"},
		{"", nil, 0, false, "other-error"},
	}
	causes := map[string]bool{}
	for _, c := range importer.Causes() {
		causes[c] = true
	}
	for _, c := range cases {
		doc := importer.Doc(c.code, c.subcodes, c.status, c.retryable)
		if want := importer.TroubleshootingPage + "#" + c.want; doc != want {
			t.Errorf("Doc(%q, %v, %d, %v) = %q, want %q", c.code, c.subcodes, c.status, c.retryable, doc, want)
		}
		if !causes[c.want] {
			t.Errorf("Causes() lacks %q", c.want)
		}
		fix := importer.Fix(c.code, c.subcodes, c.status, c.retryable)
		if fix == "" {
			t.Errorf("Fix(%q, %v, %d, %v) is empty", c.code, c.subcodes, c.status, c.retryable)
		}
		// The same cause reached by its own name gives the same advice.
		if same := importer.Fix(c.want, nil, 0, false); same != fix {
			t.Errorf("Fix(%q, ...) = %q, but the cause %s advises %q", c.code, fix, c.want, same)
		}
	}
	for _, c := range importer.Causes() {
		if strings.TrimSpace(importer.Fix(c, nil, 0, false)) == "" {
			t.Errorf("the cause %s has no advice", c)
		}
	}
}
