package ingest_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mig-tools/mig/ingest"
)

// addFileSeeds adds every file matching the patterns, relative to the
// repository's root, to f's seed corpus: the fixtures and the bad-input
// corpus (testdata/bad), which hold what real exports and broken ones look
// like. Files over 64 KiB are left out: the fuzzer mutates small inputs
// best.
func addFileSeeds(f *testing.F, patterns ...string) {
	f.Helper()
	for _, p := range patterns {
		paths, err := filepath.Glob(filepath.Join("..", p))
		if err != nil {
			f.Fatal(err)
		}
		for _, path := range paths {
			b, err := os.ReadFile(path)
			if err != nil || len(b) > 64<<10 {
				continue
			}
			f.Add(b)
		}
	}
}

// FuzzCSVReader reads any input through CSVReader twice: with a limit
// above the input's size, and with a small one (16-byte fields, 256-byte
// records). It must never panic, end after at most one record per input
// byte, return only LineErrors (each naming the file and a line), and
// never hand over a field over the limit. Where encoding/csv, which it
// wraps, reads the input in full as UTF-8, it must read
// the same records on the same lines; where it reads records, they must be
// encoding/csv's.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{
		"id,name\nu1,Ann\n", "\xEF\xBB\xBF# comment\nid,name\r\nu1,\"A, \"\"B\"\"\nC\"\r\n",
		"a,b\n\"x\"y,z\n", "a,b\nx\"y,z\n", "a\n\"open\n", "a,b\r\"c\"\r", "a,b\n1,2,3\n1\n", "[{\"id\":1}]",
		"\xff\xfea\x00", "a,b\n\x00,\xff\n", "#\n#\na\n\"\"\"\"\n", "a,b\n\"x\"\r,y\n", "a\n\"x\"\rz\n",
	} {
		f.Add([]byte(s))
	}
	addFileSeeds(f, "testdata/bad/*/*.csv", "testdata/bad/package/*/*.csv", "testdata/fixtures/*/*.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		fullRecs, fullLines, fullErr := readCSVFields(t, data, int64(len(data))+1)
		smallRecs, _, smallErr := readCSVFields(t, data, 16)
		for _, rec := range smallRecs {
			for _, field := range rec {
				if len(field) > 16 {
					t.Fatalf("a field of %d bytes handed over with a limit of 16", len(field))
				}
			}
		}
		for _, err := range []error{fullErr, smallErr} {
			var le *ingest.LineError
			if err != nil && (!errors.As(err, &le) || le.File != "f.csv" || le.Line < 1) {
				t.Fatalf("%#v: not a LineError naming the file and a line", err)
			}
		}
		want, wantLines, ok := encodingCSV(data)
		if len(smallRecs) > len(want) || !sameRecords(smallRecs, want[:len(smallRecs)]) {
			t.Fatalf("with a small limit:\n got %q\nwant %q...", smallRecs, want)
		}
		if !ok {
			if fullErr == nil && !sameRecords(fullRecs, want) {
				t.Fatalf("records where encoding/csv stops:\n got %q\nwant %q", fullRecs, want)
			}
			return
		}
		var le *ingest.LineError
		if errors.As(fullErr, &le) && len(fullRecs) == 0 && (strings.Contains(le.Msg, "JSON") || strings.Contains(le.Msg, "CR only") || strings.Contains(le.Msg, "UTF-16")) {
			return // refused at once, by design, before any record
		}
		if fullErr != nil {
			t.Fatalf("encoding/csv reads %q, CSVReader says %v", want, fullErr)
		}
		if !sameRecords(fullRecs, want) || !slices.Equal(fullLines, wantLines) {
			t.Fatalf("\n got %q on lines %v\nwant %q on lines %v", fullRecs, fullLines, want, wantLines)
		}
	})
}

// readCSVFields reads every record of data with ReadFields (no header:
// records as the file has them), until the end or the first error.
func readCSVFields(t *testing.T, data []byte, maxField int64) ([][]string, []int, error) {
	r, err := ingest.NewLimitedCSVReader("f.csv", bytes.NewReader(data), ingest.Limits{MaxFieldBytes: maxField})
	if err != nil {
		return nil, nil, err
	}
	var recs [][]string
	var lines []int
	for {
		rec, line, err := r.ReadFields()
		if err == io.EOF {
			return recs, lines, nil
		}
		if err != nil {
			return recs, lines, err
		}
		if len(recs) > len(data) {
			t.Fatalf("%d records from %d bytes: the reader does not end", len(recs), len(data))
		}
		recs = append(recs, append([]string(nil), rec...))
		lines = append(lines, line)
	}
}

// encodingCSV reads data as CSVReader should: after a UTF-8 byte-order
// mark and leading "#" lines, with encoding/csv. ok is false when
// encoding/csv stops on an error, or a field holds what CSVReader refuses
// (invalid UTF-8); records are those read before.
func encodingCSV(data []byte) (recs [][]string, lines []int, ok bool) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	skipped := 0
	for len(data) > 0 && data[0] == '#' {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			data = nil
		} else {
			data = data[i+1:]
		}
		skipped++
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return recs, lines, true
		}
		if err != nil {
			return recs, lines, false
		}
		for _, field := range rec {
			if !utf8.ValidString(field) {
				return recs, lines, false
			}
		}
		line, _ := r.FieldPos(0)
		recs = append(recs, rec)
		lines = append(lines, line+skipped)
	}
}

// sameRecords compares records field by field (an empty list and none are
// the same).
func sameRecords(a, b [][]string) bool {
	return slices.EqualFunc(a, b, func(x, y []string) bool { return slices.Equal(x, y) })
}
