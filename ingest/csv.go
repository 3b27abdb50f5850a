package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// CSVReader streams a CSV file record by record in constant memory. It
// accepts what real exports contain: a UTF-8 byte-order mark, CRLF line ends,
// quoted fields holding commas and newlines, and leading "#" comment lines
// before the header (one public Clerk sample starts with one). Every error it
// returns names the file and the line.
type CSVReader struct {
	path   string
	r      *csv.Reader
	offset int // lines consumed before the csv.Reader started (comments)
	header []string
	index  map[string]int
	line   int // line where the current record starts
	// Short rows are padded with empty fields: exports often leave out
	// trailing empty cells (one public Clerk sample does). ShortRows counts
	// them and FirstShortRow names the first, for a warning.
	ShortRows     int
	FirstShortRow int
	padded        []string
}

// NewCSVReader wraps r; path is used only in error messages.
func NewCSVReader(path string, r io.Reader) (*CSVReader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	c := &CSVReader{path: path}
	for {
		b, err := br.Peek(1)
		if err != nil || b[0] != '#' {
			break
		}
		if _, err := br.ReadString('\n'); err != nil && !errors.Is(err, io.EOF) {
			return nil, c.errorf(c.offset+1, "", "%v", err)
		}
		c.offset++
	}
	c.r = csv.NewReader(br)
	c.r.ReuseRecord = true
	c.r.FieldsPerRecord = -1 // checked against the header in Read
	return c, nil
}

// Header reads the header row, trimming names and lower-casing them, and
// checks that every name in required is present.
func (c *CSVReader) Header(required ...string) ([]string, error) {
	rec, err := c.read()
	if errors.Is(err, io.EOF) {
		return nil, c.errorf(c.offset+1, "", "the file is empty: expected a header row")
	}
	if err != nil {
		return nil, err
	}
	c.header = make([]string, len(rec))
	c.index = make(map[string]int, len(rec))
	for i, h := range rec {
		h = strings.ToLower(strings.TrimSpace(h))
		c.header[i] = h
		if h == "" {
			return nil, c.errorf(c.line, "", "header column %d has no name", i+1)
		}
		if _, dup := c.index[h]; dup {
			return nil, c.errorf(c.line, h, "header names column %q twice", h)
		}
		c.index[h] = i
	}
	for _, want := range required {
		if _, ok := c.index[want]; !ok {
			return nil, c.errorf(c.line, want, "header has no %q column (found: %s)", want, strings.Join(c.header, ","))
		}
	}
	return c.header, nil
}

// Has reports whether the header has the column.
func (c *CSVReader) Has(col string) bool { _, ok := c.index[col]; return ok }

// Read returns the next record and the line it starts on. The slice is
// reused by the next call. At the end it returns io.EOF.
func (c *CSVReader) Read() ([]string, int, error) {
	rec, err := c.read()
	if err != nil {
		return nil, 0, err
	}
	switch n := len(c.header); {
	case len(rec) > n:
		return nil, 0, c.errorf(c.line, "", "wrong number of fields: row has %d fields, the header has %d", len(rec), n)
	case len(rec) < n:
		if c.ShortRows == 0 {
			c.FirstShortRow = c.line
		}
		c.ShortRows++
		c.padded = append(append(c.padded[:0], rec...), make([]string, n-len(rec))...)
		rec = c.padded
	}
	return rec, c.line, nil
}

// Get returns the named field of rec, or "" when the column is absent.
func (c *CSVReader) Get(rec []string, col string) string {
	if i, ok := c.index[col]; ok && i < len(rec) {
		return rec[i]
	}
	return ""
}

// Line is the line where the last record read starts.
func (c *CSVReader) Line() int { return c.line }

func (c *CSVReader) read() ([]string, error) {
	rec, err := c.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			line := pe.StartLine
			if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
				return nil, c.errorf(line+c.offset, "", "%v (a quote that is never closed runs to the end of the file)", pe.Err)
			}
			return nil, c.errorf(line+c.offset, "", "%v", pe.Err)
		}
		return nil, fmt.Errorf("%s: %w", c.path, err)
	}
	line, _ := c.r.FieldPos(0)
	c.line = line + c.offset
	for i, f := range rec {
		if !utf8.ValidString(f) {
			return nil, c.errorf(c.line, c.column(i+1), "invalid UTF-8 (the file must be UTF-8; re-export it or convert it with iconv)")
		}
	}
	return rec, nil
}

func (c *CSVReader) column(i int) string {
	if i >= 1 && i <= len(c.header) {
		return c.header[i-1]
	}
	return ""
}

// errorf builds a LineError for this file.
func (c *CSVReader) errorf(line int, field, format string, args ...any) error {
	return &LineError{File: c.path, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// LineError is bad input at a place in a file. Its text is FILE:LINE: field:
// what is wrong, which editors and terminals turn into a link.
type LineError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *LineError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s:%d: field %q: %s", e.File, e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// SplitMulti splits a multi-valued cell. Exports separate values with "|"
// or ",", sometimes both in one file; empty parts and repeats are dropped and
// the first value keeps its place.
func SplitMulti(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == ',' })
	out := parts[:0]
	seen := make(map[string]bool, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		k := strings.ToLower(p)
		if p == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}

// OpenCSV opens a file for NewCSVReader; the caller closes the file.
func OpenCSV(path string) (*os.File, *CSVReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	r, err := NewCSVReader(path, f)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, r, nil
}

// Each calls fn for every data row after the header, with a getter for
// trimmed fields by column name and the row's line, checking ctx every few
// thousand rows. It returns the number of rows read.
func (c *CSVReader) Each(ctx context.Context, fn func(get func(col string) string, line int) error) (int, error) {
	n := 0
	for {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		rec, line, err := c.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
		get := func(col string) string { return strings.TrimSpace(c.Get(rec, strings.ToLower(col))) }
		if err := fn(get, line); err != nil {
			return n, err
		}
	}
}
