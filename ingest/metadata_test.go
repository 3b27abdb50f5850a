package ingest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest"
)

// FitMetadata keeps what fits WorkOS's limits, in the order offered, and
// says why each other entry was left out; nothing is cut short.
func TestFitMetadata(t *testing.T) {
	entries := []ingest.MetadataEntry{
		{Key: "id", Value: "u1"},
		{Key: "empty", Value: ""},
		{Key: "id", Value: "again"},
		{Key: strings.Repeat("k", 41), Value: "v"},
		{Key: "long", Value: strings.Repeat("é", 601)},
		{Key: "fits", Value: strings.Repeat("é", 600)},
	}
	for i := range 50 {
		entries = append(entries, ingest.MetadataEntry{Key: fmt.Sprint("m", i), Value: "x"})
	}
	m, problems := ingest.FitMetadata(entries)
	if len(m) != 50 || m["id"] != "u1" || len(m["fits"]) != 1200 || m["m47"] != "x" || m["m48"] != "" {
		t.Errorf("kept %d keys: id %q, fits %d bytes, m47 %q, m48 %q", len(m), m["id"], len(m["fits"]), m["m47"], m["m48"])
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.Key+":"+p.Code)
	}
	want := "id:metadata_key_taken " + strings.Repeat("k", 41) + ":metadata_key_too_long long:metadata_value_too_long m48:metadata_too_many_keys m49:metadata_too_many_keys"
	if strings.Join(got, " ") != want {
		t.Errorf("problems = %s\nwant %s", strings.Join(got, " "), want)
	}
}
