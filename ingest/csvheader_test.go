package ingest_test

import (
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest"
)

// A CSV file without a header row is read with the names the source gives.
func TestCSVUseHeader(t *testing.T) {
	r, err := ingest.NewCSVReader("fb.csv", strings.NewReader("uid1,a@example.com\nuid2,b@example.com,extra\n"))
	if err != nil {
		t.Fatal(err)
	}
	r.UseHeader("localId", "email")
	rec, line, err := r.Read()
	if err != nil || line != 1 || r.Get(rec, "localid") != "uid1" || r.Get(rec, "email") != "a@example.com" {
		t.Fatalf("first row = %v, line %d, %v", rec, line, err)
	}
	if _, _, err := r.Read(); err == nil || !strings.Contains(err.Error(), "fb.csv:2: wrong number of fields: row has 3 fields, the header has 2") {
		t.Fatalf("long row: %v", err)
	}
}
