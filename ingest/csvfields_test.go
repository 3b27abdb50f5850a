package ingest_test

import (
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest"
)

// ReadFields hands over rows as the file has them, longer or shorter than
// the names, and still names the column of a bad field.
func TestCSVReadFields(t *testing.T) {
	r, err := ingest.NewCSVReader("fb.csv", strings.NewReader("uid1,a@example.com,\nuid2\nuid3,\xff\n"))
	if err != nil {
		t.Fatal(err)
	}
	r.UseHeader("localId", "email")
	for _, want := range []int{3, 1} {
		rec, _, err := r.ReadFields()
		if err != nil || len(rec) != want {
			t.Fatalf("row %v, %v: want %d fields", rec, err, want)
		}
	}
	if _, _, err := r.ReadFields(); err == nil || !strings.Contains(err.Error(), `fb.csv:3: field "email": invalid UTF-8`) {
		t.Fatalf("bad field: %v", err)
	}
}
