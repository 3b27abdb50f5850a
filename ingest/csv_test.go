package ingest_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mig-tools/mig/ingest"
)

// readAll reads a CSV through CSVReader: the header, then every row.
func readAll(t *testing.T, content string, lim ingest.Limits) ([][]string, error) {
	t.Helper()
	r, err := ingest.NewLimitedCSVReader("f.csv", strings.NewReader(content), lim)
	if err != nil {
		return nil, err
	}
	h, err := r.Header()
	if err != nil {
		return nil, err
	}
	out := [][]string{append([]string(nil), h...)}
	for {
		rec, _, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, append([]string(nil), rec...))
	}
}

// Input over a limit is an error naming the file, the line and the field,
// and is refused before it is read whole: whatever the input, one record
// in memory is bounded.
func TestCSVLimits(t *testing.T) {
	big := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name    string
		content string
		lim     ingest.Limits
		want    string
	}{
		{"a field over the default limit", "id,first_name\nu1,a\nu2," + big(ingest.DefaultMaxFieldBytes+1) + "\n", ingest.Limits{},
			`f.csv:3: field "first_name": longer than the limit of 1 MiB for one field`},
		{"a quoted field over a raised limit", "id,note\nu1,\"" + big(100) + "\"\n", ingest.Limits{MaxFieldBytes: 64},
			`f.csv:2: field "note": longer than the limit of 64 bytes`},
		{"a line with no end and no comma", big(ingest.DefaultMaxFieldBytes + 10), ingest.Limits{},
			`f.csv:1: header column 1: longer than the limit of 1 MiB`},
		{"a record of many fields at the limit", "a,b\n" + strings.Repeat(big(60)+",", 20) + "\n", ingest.Limits{MaxFieldBytes: 64},
			`f.csv:2: column 17 (beyond the header's 2): the record is longer than 1 KiB, 16 fields at the limit`},
		{"a line of commas", "a,b\n" + strings.Repeat(",", ingest.MaxFields+5) + "\n", ingest.Limits{},
			`f.csv:2: column 10001 (beyond the header's 2): the record has more than 10000 fields`},
		{"a quote never closed in a long file", "id,name\nu1,\"Bob\nu2,Ann\n" + strings.Repeat("u3,Cat\n", 20), ingest.Limits{MaxFieldBytes: 64},
			`f.csv:2: field "name": longer than the limit of 64 bytes for one field; if the value is real, raise the limit with --max-field-bytes; the field is a quoted one still open since line 2, column 4`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(t, tt.content, tt.lim)
			var le *ingest.LineError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want a LineError", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %q\nwant  %q...", err, tt.want)
			}
		})
	}
}

// The scanner that enforces the limits follows the CSV grammar: it never
// refuses a valid file, and records come back exactly as encoding/csv
// reads them. Files are written by encoding/csv from random records full of
// quotes, commas, CRs and line ends.
func TestCSVLimitsAcceptValidCSV(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", ",", "\"", "\r", "\n", "\r\n", " ", "é", "\"\"", "#"}
	for n := 0; n < 1000; n++ {
		cols := 1 + rng.IntN(5)
		var recs [][]string
		for r := 0; r < 1+rng.IntN(6); r++ {
			rec := make([]string, cols)
			for c := range rec {
				var b strings.Builder
				for k := rng.IntN(8); k > 0; k-- {
					b.WriteString(alphabet[rng.IntN(len(alphabet))])
				}
				rec[c] = b.String()
			}
			if r == 0 {
				for c := range rec {
					rec[c] = "h" + strings.Map(func(r rune) rune {
						if r == '\r' || r == '\n' || r == '"' || r == ',' || r == ' ' {
							return 'x'
						}
						return r
					}, rec[c]) + string(rune('a'+c))
				}
			}
			recs = append(recs, rec)
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.UseCRLF = n%2 == 0
		w.WriteAll(recs)
		want, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// At 40 bytes no field is over the limit (8 pieces of at most 4
		// bytes, quoted) but many lines are: both paths of the scanner run.
		got, err := readAll(t, buf.String(), ingest.Limits{MaxFieldBytes: 40})
		if err != nil {
			t.Fatalf("file %q: %v", buf.String(), err)
		}
		for i := range want[0] {
			want[0][i] = strings.ToLower(want[0][i])
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("file %q:\n got %q\nwant %q", buf.String(), got, want)
		}
	}
}

// Messages say what is wrong in words a person can act on: a bare quote
// with its field and column, CR-only line ends, JSON given as CSV.
func TestCSVFormatMessages(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"bare quote", "id,name,email\nu1,Ann,a@example.com\nu2,Bob \"The Builder\" B,b@example.com\n",
			`f.csv:3: field "name": a quote inside a field that does not start with one (column 8): quotes are read strictly; put the whole field in quotes and write the quote twice`},
		{"bare quote in the header", "id,na\"me\n",
			`f.csv:1: header column 2: a quote inside a field that does not start with one (column 6)`},
		{"text after a closing quote", "id,name\nu1,\"Ann\"x\n",
			`f.csv:2: field "name": text after the closing quote of a quoted field (column 9)`},
		{"UTF-16 with its byte-order mark", "\xff\xfei\x00d\x00\n\x00",
			`f.csv:1: the file is UTF-16 (it starts with a UTF-16 byte-order mark); mig reads UTF-8`},
		{"a short last row with no line end", "id,name,email\nu1,Ann,a@example.com\nu2,Bo",
			`f.csv:3: field "name": the last row has 2 fields, the header has 3, and the file does not end with a line end: is it cut short?`},
		{"lone CR line ends", "id,name\ru1,Ann\ru2,Bob\r",
			`f.csv:1: line ends are CR only (an old Mac format)`},
		{"lone CR line ends after a comment", "# export\rid,name\ru1,Ann\r",
			`f.csv:1: line ends are CR only`},
		{"a JSON array", "\n  [{\"id\": \"user_1\"}]",
			`f.csv:2: this looks like JSON (it starts with "["), not CSV`},
		{"a JSON object", "{\"users\": []}",
			`f.csv:1: this looks like JSON (it starts with "{"), not CSV`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(t, tt.content, ingest.Limits{})
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant %s...", err, tt.want)
			}
		})
	}
	_, err := readAll(t, "[]", ingest.Limits{})
	if !errors.Is(err, ingest.ErrJSON) {
		t.Fatalf("err = %v, want ErrJSON", err)
	}
	// A short last row that ends with a line end is padded, as any short
	// row: exports leave out trailing empty cells.
	if recs, err := readAll(t, "id,name,email\nu1,Ann\n", ingest.Limits{}); err != nil || len(recs) != 2 {
		t.Fatalf("short last row: %q, %v", recs, err)
	}
	// A CSV whose first column name starts with a bracket is CSV.
	if recs, err := readAll(t, "[id],{email}\n1,a@example.com\n", ingest.Limits{}); err != nil || len(recs) != 2 {
		t.Fatalf("bracketed header: %q, %v", recs, err)
	}
}

// After input the scanner refused, the reader has no more records: a
// caller that passes over bad rows (validate-package's scratch ingest, the
// package ingest's first pass) meets the end of the file rather than the
// same error for ever.
func TestCSVReaderStopsAfterRefusal(t *testing.T) {
	r, err := ingest.NewLimitedCSVReader("f.csv", strings.NewReader("id,name\nu1,"+strings.Repeat("x", 100)+"\nu2,Ann\n"), ingest.Limits{MaxFieldBytes: 64})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Header(); err != nil {
		t.Fatal(err)
	}
	var le *ingest.LineError
	if _, _, err := r.Read(); !errors.As(err, &le) {
		t.Fatalf("first Read: %v, want the field refused", err)
	}
	for i := 0; i < 3; i++ {
		if _, _, err := r.Read(); err != io.EOF {
			t.Fatalf("Read after the refusal: %v, want io.EOF", err)
		}
	}
}

// A message quotes at most a short, escaped excerpt of the input.
func TestExcerpt(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", `""`},
		{"id,email", `"id,email"`},
		{"tab\there\x00\xff", `"tab\there\x00\xff"`},
		{"zoë", `"zoë"`},
		{strings.Repeat("a", 80), `"` + strings.Repeat("a", 80) + `"`},
		{strings.Repeat("a", 81), `"` + strings.Repeat("a", 80) + `"…`},
		{strings.Repeat("\x01", 30), `"` + strings.Repeat(`\x01`, 20) + `"…`},
	} {
		if got := ingest.Excerpt(tt.in); got != tt.want {
			t.Errorf("Excerpt(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	// A header error about a binary file quotes a bounded excerpt of it.
	bin := "PK\x03\x04" + strings.Repeat("\x00\x01garbage", 5000) + "\n"
	r, err := ingest.NewCSVReader("f.bin", strings.NewReader(bin))
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Header("id")
	if err == nil || utf8.RuneCountInString(err.Error()) > 200 || !strings.Contains(err.Error(), `(found: "pk\x03\x04`) {
		t.Fatalf("err = %v (%d characters), want a short excerpt of the header", err, len(err.Error()))
	}
}

// BenchmarkCSVReader reads a Clerk-shaped export of 20,000 rows from
// memory: the cost of the reader, limits included, per input byte.
func BenchmarkCSVReader(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("id,first_name,last_name,username,primary_email_address,primary_phone_number,verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,totp_secret,password_digest,password_hasher\n")
	for i := range 20000 {
		fmt.Fprintf(&buf, "user_%027d,First%d,\"Last, %d\",,user%d@example.com,+15550100%04d,user%d@example.com|alt%d@example.com,,,,,$2a$10$fgPOubgdJs90F1GK2u.Qye7Xyyi2ajrQJoB5LDG5bnITEvFR/xhZ.,bcrypt\n",
			i, i, i, i, i%10000, i, i)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		r, err := ingest.NewCSVReader("f.csv", bytes.NewReader(buf.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Header(); err != nil {
			b.Fatal(err)
		}
		for {
			if _, _, err := r.Read(); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				b.Fatal(err)
			}
		}
	}
}
