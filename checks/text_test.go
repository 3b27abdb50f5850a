package checks_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"unicode"

	"github.com/mig-tools/mig/checks"
)

// TestControlCharactersAreCc holds the byte test of ControlCharacters and
// MetadataControlCharacters to Unicode's Cc category, over every character
// of the Basic Multilingual Plane and the start of the next.
func TestControlCharactersAreCc(t *testing.T) {
	for r := rune(0); r < 0x10100; r++ {
		if r >= 0xd800 && r <= 0xdfff {
			continue // surrogates: not in UTF-8
		}
		s := "a" + string(r) + "b"
		got := checks.ControlCharacters("", s)
		if want := fmt.Sprintf("first_name has %U", r); unicode.IsControl(r) != (got == want) || !unicode.IsControl(r) && got != "" {
			t.Fatalf("ControlCharacters(%q) = %q; Cc: %v", s, got, unicode.IsControl(r))
		}
		meta, _ := json.Marshal(map[string]string{"k": s})
		got = checks.MetadataControlCharacters(string(meta))
		if want := unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'; want != (got != "") {
			t.Fatalf("MetadataControlCharacters(%s) = %q; want a finding: %v", meta, got, want)
		}
	}
}
