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
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CSVReader streams a CSV file record by record in bounded memory. It
// accepts what real exports contain: a UTF-8 byte-order mark, CRLF line ends,
// quoted fields holding commas and newlines, and leading "#" comment lines
// before the header (one public Clerk sample starts with one). Every error it
// returns names the file and the line.
//
// encoding/csv holds a whole record in memory, however long, so the reader
// bounds what one record may hold (see Limits) before encoding/csv sees it.
type CSVReader struct {
	path   string
	r      *csv.Reader
	scan   *scanner
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
	// stopped is set once the scanner has refused input: what follows a
	// refused field cannot be told apart into records, so the reader
	// returns io.EOF after that error (a reader that passes over bad rows
	// would otherwise be handed the same error for ever).
	stopped bool
}

// Limits bound what one CSV record may hold, so that the memory an ingest
// takes does not grow with the input: encoding/csv reads a whole record
// into memory, and a file with no line end (or a quote never closed) is one
// record as long as the file. Sizes are of the field as written in the
// file, quotes included.
type Limits struct {
	// MaxFieldBytes bounds one field (0: DefaultMaxFieldBytes). A record
	// may hold RecordFields fields of that size.
	MaxFieldBytes int64
}

const (
	// DefaultMaxFieldBytes is larger than any value WorkOS takes (metadata
	// values are at most 600 characters, a password hash a few hundred
	// bytes) by three orders of magnitude.
	DefaultMaxFieldBytes = 1 << 20
	// RecordFields is how many fields at the size limit one record may
	// hold: every column of a Clerk export (13) or a WorkOS users file (13).
	RecordFields = 16
	// MaxFields bounds the number of fields of one record: encoding/csv
	// keeps an index and a position per field, and a line of commas would
	// otherwise make millions of them. The widest format mig reads has 20
	// columns.
	MaxFields = 10000
)

func (l Limits) field() int64 {
	if l.MaxFieldBytes > 0 {
		return l.MaxFieldBytes
	}
	return DefaultMaxFieldBytes
}

// NewCSVReader wraps r with the default Limits; path is used only in error
// messages.
func NewCSVReader(path string, r io.Reader) (*CSVReader, error) {
	return NewLimitedCSVReader(path, r, Limits{})
}

// NewLimitedCSVReader wraps r, refusing records over the limits; path is
// used only in error messages. It refuses at once a file that is not CSV in
// a way that would make every later message misleading: UTF-16, gzip, JSON,
// or line ends that are a lone CR (which encoding/csv would read as one
// endless line).
func NewLimitedCSVReader(path string, r io.Reader, lim Limits) (*CSVReader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	c := &CSVReader{path: path}
	head, _ := br.Peek(64 << 10) // a short read at the end of the file is fine
	if err := c.checkFormat(head); err != nil {
		return nil, err
	}
	for {
		b, err := br.Peek(1)
		if err != nil || b[0] != '#' {
			break
		}
		// The comment is dropped a buffer at a time: a "comment" with no
		// line end must not be held whole.
		for {
			_, err = br.ReadSlice('\n')
			if err != bufio.ErrBufferFull {
				break
			}
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, c.errorf(c.offset+1, "", "%v", err)
		}
		c.offset++
	}
	field := lim.field()
	c.scan = &scanner{r: br, maxField: field, maxRecord: RecordFields * field, maxFields: MaxFields, line: 1, recLine: 1}
	// encoding/csv reads through a buffer of its own; one of 64 KiB keeps
	// the copies few.
	c.r = csv.NewReader(bufio.NewReaderSize(c.scan, 64<<10))
	c.r.ReuseRecord = true
	c.r.FieldsPerRecord = -1 // checked against the header in Read
	return c, nil
}

// checkFormat looks at the start of the file for mistakes that would
// otherwise surface as a misleading message about the header: another
// encoding (UTF-16), a gzip file, JSON, CR-only line ends.
func (c *CSVReader) checkFormat(head []byte) error {
	if err := utf16Error(c.path, head); err != nil {
		return err
	}
	if len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		return c.errorf(1, "", "this is a gzip file, not CSV: decompress it first (gunzip -k %s)", c.path)
	}
	notSpace := func(r rune) bool { return !unicode.IsSpace(r) }
	if i := bytes.IndexFunc(head, notSpace); i >= 0 && (head[i] == '{' || head[i] == '[') {
		// What follows the bracket tells JSON from a CSV whose first
		// column is named "[id]".
		next := byte(0)
		if j := bytes.IndexFunc(head[i+1:], notSpace); j >= 0 {
			next = head[i+1+j]
		}
		if head[i] == '{' && (next == '"' || next == '}') || head[i] == '[' && bytes.IndexByte([]byte(`{["]`), next) >= 0 {
			return &LineError{File: c.path, Line: 1 + bytes.Count(head[:i], []byte("\n")), Err: ErrJSON,
				Msg: "this looks like JSON (it starts with " + Excerpt(string(head[i:i+1])) + "), not CSV"}
		}
	}
	if i := bytes.IndexAny(head, "\r\n"); i >= 0 && head[i] == '\r' && i+1 < len(head) && head[i+1] != '\n' {
		return c.errorf(1, "", "line ends are CR only (an old Mac format), so the whole file reads as one line; "+
			"convert them to LF first, e.g. tr '\\r' '\\n' < %s > fixed.csv", c.path)
	}
	return nil
}

// utf16Error refuses a file that starts with a UTF-16 byte-order mark
// (Excel's "Unicode text" and PowerShell write them): every byte of ASCII
// is followed or preceded by a zero, which would otherwise be read as
// invalid UTF-8 or as NUL bytes.
func utf16Error(path string, head []byte) error {
	if len(head) >= 2 && (head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF) {
		return &LineError{File: path, Line: 1, Msg: "the file is UTF-16 (it starts with a UTF-16 byte-order mark); mig reads UTF-8: convert it, e.g. iconv -f UTF-16 -t UTF-8"}
	}
	return nil
}

// ErrJSON says a file given as CSV holds JSON; a source may add which mig
// command reads that JSON.
var ErrJSON = errors.New("JSON, not CSV")

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
			return nil, c.errorf(c.line, h, "header names column %s twice", Excerpt(h))
		}
		c.index[h] = i
	}
	for _, want := range required {
		if _, ok := c.index[want]; !ok {
			return nil, c.errorf(c.line, want, "header has no %q column (found: %s)", want, Excerpt(strings.Join(c.header, ",")))
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
		if s := c.scan; s.eof && !s.lineEnded && s.recLine+c.offset == c.line {
			// The last row, short and with no line end: the file was
			// most likely cut in the middle of it, and its last field
			// with it.
			return nil, 0, c.errorf(c.line, c.column(len(rec)), "the last row has %d fields, the header has %d, and the file does not end with a line end: is it cut short?", len(rec), n)
		}
		if c.ShortRows == 0 {
			c.FirstShortRow = c.line
		}
		c.ShortRows++
		c.padded = append(append(c.padded[:0], rec...), make([]string, n-len(rec))...)
		rec = c.padded
	}
	return rec, c.line, nil
}

// ShortRowsWarning is the one warning about the short rows Read has
// padded so far, which every ingest of a CSV file records once the file is
// read: a row cut short loses its trailing cells (an organization, a role)
// without a word otherwise. ok is false when no row was short. file is the
// name the warning gives, as the user wrote it.
func (c *CSVReader) ShortRowsWarning(file string) (w Warning, ok bool) {
	if c.ShortRows == 0 {
		return Warning{}, false
	}
	return Warning{Code: "short_rows", File: file, Row: c.FirstShortRow,
		Message: fmt.Sprintf("%d rows have fewer fields than the header (the first on line %d); the missing trailing fields were read as empty", c.ShortRows, c.FirstShortRow)}, true
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
	if c.stopped {
		return nil, io.EOF
	}
	rec, err := c.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		var se *scanError
		if errors.As(err, &se) {
			c.stopped = true
			return nil, c.scanErr(se)
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			line := pe.StartLine + c.offset
			if errors.Is(pe.Err, csv.ErrQuote) {
				if s := c.scan; s.eof && s.state == stQuoted && s.quoteRecLine == pe.StartLine {
					// The scanner has read the whole file and is still
					// inside the quote: it knows where the quote opened.
					return nil, c.fieldErr(s.quoteLine+c.offset, s.quoteField,
						"the quote that opens this field (column %d) is never closed, so the field runs to the end of the file", s.quoteCol)
				}
				return nil, c.errorf(pe.Line+c.offset, "", "column %d: text after the closing quote of a quoted field "+
					"(a quote inside a quoted field is written twice: \"\")", pe.Column)
			}
			return nil, c.errorf(line, "", "%v", pe.Err)
		}
		return nil, fmt.Errorf("%s: %w", c.path, err)
	}
	line, _ := c.r.FieldPos(0)
	c.line = line + c.offset
	for i, f := range rec {
		if !utf8.ValidString(f) {
			return nil, c.fieldErr(c.line, i, "invalid UTF-8 (the file must be UTF-8; re-export it or convert it with iconv)")
		}
	}
	return rec, nil
}

// scanErr turns what the scanner refused into a LineError naming the field.
func (c *CSVReader) scanErr(se *scanError) error {
	return c.fieldErr(se.line+c.offset, se.field, "%s", se.msg)
}

// fieldErr is an error about the field with index i (0-based) of a record
// starting on line: named by its header column, or by its number while the
// header is being read.
func (c *CSVReader) fieldErr(line, i int, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if c.header == nil {
		return c.errorf(line, "", "header column %d: %s", i+1, msg)
	}
	if name := c.column(i + 1); name != "" {
		return c.errorf(line, name, "%s", msg)
	}
	return c.errorf(line, "", "column %d (beyond the header's %d): %s", i+1, len(c.header), msg)
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
	// Err, when set, is a sentinel (such as ErrJSON) that callers may test
	// with errors.Is; Msg says it for people.
	Err error
}

func (e *LineError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s:%d: field %s: %s", e.File, e.Line, Excerpt(e.Field), e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

func (e *LineError) Unwrap() error { return e.Err }

// NoUserRows is the error for a users file with a header and no rows. An
// empty export is never a migration's intent: staged as is, it would stage
// nobody and, on a source staged before, mark every user missing.
func NoUserRows(file string, headerLine int) error {
	return &LineError{File: file, Line: headerLine,
		Msg: "the file has a header but no user rows: an export with no users is refused (was it cut short, or taken from an empty instance?)"}
}

// excerptMax is how many characters of input a message quotes at most.
const excerptMax = 80

// Excerpt is how every message quotes a piece of its input: Go-escaped and
// in double quotes, so control characters and invalid UTF-8 stay visible and
// harmless on a terminal, and cut after about 80 characters with "…", so
// that a binary file or a huge field does not flood the screen.
func Excerpt(s string) string {
	b := make([]byte, 0, excerptMax+8)
	b = append(b, '"')
	n := 0 // characters written, quotes left out
	for i := 0; i < len(s); {
		_, size := utf8.DecodeRuneInString(s[i:])
		q := strconv.Quote(s[i : i+size])
		q = q[1 : len(q)-1]
		if n += utf8.RuneCountInString(q); n > excerptMax {
			return string(b) + "\"…"
		}
		b = append(b, q...)
		i += size
	}
	return string(append(b, '"'))
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
