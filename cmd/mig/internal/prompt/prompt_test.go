package prompt_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mig-tools/mig/cmd/mig/internal/prompt"
)

// TestReadPasswordFromPipe: input that is not a terminal gives its first
// line, without the line ending, and never a prompt.
func TestReadPasswordFromPipe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hunter2\n", "hunter2"},
		{"hunter2\r\nsecond line\n", "hunter2"},
		{"no newline", "no newline"},
		{" spaces kept \n", " spaces kept "},
	}
	for _, tc := range tests {
		var shown bytes.Buffer
		got, err := prompt.ReadPassword(strings.NewReader(tc.in), &shown, "Password: ")
		if err != nil || got != tc.want {
			t.Errorf("ReadPassword(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if shown.Len() != 0 {
			t.Errorf("ReadPassword(%q) prompted %q on a pipe", tc.in, shown.String())
		}
	}
	if _, err := prompt.ReadPassword(strings.NewReader(""), &bytes.Buffer{}, "Password: "); err == nil || !strings.Contains(err.Error(), "no password on stdin") {
		t.Errorf("empty input: %v; want no password on stdin", err)
	}
}
