package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"unicode/utf8"
)

// The JSON readers of the source kit stream exports too large to hold
// whole (Auth0's bulk user export, Firebase's auth:export): a record at a
// time, in memory bounded by the same limit as one CSV record (RecordFields
// fields of Limits.MaxFieldBytes, --max-field-bytes), gzip read
// transparently, and every error naming the file and the line (NDJSON) or
// the element and its byte offset (a JSON array).

// gunzip returns what r holds, uncompressed when it is gzip (by its magic
// bytes, whatever the file is called).
func gunzip(path string, r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	if b, err := br.Peek(2); err == nil && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &LineError{File: path, Line: 1, Msg: fmt.Sprintf("gzip: %v (is the file cut short or damaged?)", err), Err: err}
		}
		return gzipReader{path: path, r: zr}, nil
	}
	if b, _ := br.Peek(2); utf16Error(path, b) != nil {
		return nil, utf16Error(path, b)
	}
	return br, nil
}

// gzipReader names the file in a gzip error: a cut or corrupt download.
type gzipReader struct {
	path string
	r    *gzip.Reader
}

func (g gzipReader) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err != nil && err != io.EOF {
		err = &gzipError{fmt.Errorf("%s: gzip: %w (is the file cut short or damaged?)", g.path, err)}
	}
	return n, err
}

// gzipError is a gzip stream that cannot be read: it says so itself.
type gzipError struct{ error }

func (e *gzipError) Unwrap() error { return e.error }

// recordLimit is the most one JSON record may hold: as much as one CSV
// record.
func (l Limits) record() int64 { return RecordFields * l.field() }

// NDJSONReader reads newline-delimited JSON (one value per line, as Auth0's
// user export and password export write it) a line at a time. Blank lines
// are skipped; a UTF-8 byte-order mark and CRLF line ends are accepted.
type NDJSONReader struct {
	path string
	br   *bufio.Reader
	max  int64
	buf  []byte
	line int // line of the record Next returned last
	next int // line of the next byte
}

// NewNDJSONReader reads r, gzip or not, refusing lines over the limits; path
// names it in errors (a file, or the URL of a download).
func NewNDJSONReader(path string, r io.Reader, lim Limits) (*NDJSONReader, error) {
	u, err := gunzip(path, r)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(u, 256<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	return &NDJSONReader{path: path, br: br, max: lim.record(), next: 1}, nil
}

// Next returns the next non-blank line, without its line end, and its line
// number; io.EOF at the end. The slice is reused by the next call.
func (n *NDJSONReader) Next() ([]byte, int, error) {
	for {
		n.buf = n.buf[:0]
		for {
			chunk, err := n.br.ReadSlice('\n')
			n.buf = append(n.buf, chunk...)
			if int64(len(n.buf)) > n.max {
				return nil, n.next, &LineError{File: n.path, Line: n.next, Msg: fmt.Sprintf(
					"the line is longer than %s, %d fields at the limit for one field; if it is real, raise the limit with --max-field-bytes", byteSize(n.max), RecordFields)}
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF && len(n.buf) == 0 {
				return nil, n.next, io.EOF
			}
			var ge *gzipError
			if errors.As(err, &ge) {
				// A cut download: the line it was cut in says how far it got.
				return nil, n.next, &LineError{File: n.path, Line: n.next, Msg: strings.TrimPrefix(ge.Error(), n.path+": ")}
			}
			if err != nil && err != io.EOF {
				return nil, n.next, err
			}
			break
		}
		n.line = n.next
		n.next++
		b := bytes.TrimSpace(n.buf)
		if len(b) == 0 {
			continue
		}
		if n.line == 1 && b[0] == '[' {
			return nil, n.line, &LineError{File: n.path, Line: 1, Msg: "this is a JSON array, not one JSON value per line (NDJSON)"}
		}
		if !utf8.Valid(b) {
			return nil, n.line, &LineError{File: n.path, Line: n.line, Msg: "invalid UTF-8 (the file must be UTF-8)"}
		}
		return b, n.line, nil
	}
}

// Decode reads the next line into v with encoding/json and returns its
// line number; io.EOF at the end. A line that is not JSON, or not of v's
// shape, is a LineError naming the field.
func (n *NDJSONReader) Decode(v any) (int, error) {
	b, line, err := n.Next()
	if err != nil {
		return line, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return line, n.decodeError(line, err)
	}
	return line, nil
}

func (n *NDJSONReader) decodeError(line int, err error) error {
	field, msg := jsonErrorText(err)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		msg += fmt.Sprintf(" (column %d)", se.Offset)
	}
	if strings.HasPrefix(msg, "not JSON") && line == 1 {
		msg += " (is the file one JSON document rather than one value per line?)"
	}
	return &LineError{File: n.path, Line: line, Field: field, Msg: msg}
}

// Line is the line of the record read last.
func (n *NDJSONReader) Line() int { return n.line }

// SkipTo passes over the lines up to and including line without decoding
// them, a buffer at a time, so that a read resumed after line (a download
// read in part before an interruption) goes on with the line after it.
func (n *NDJSONReader) SkipTo(line int) error {
	inLine := false
	for n.next <= line {
		chunk, err := n.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			inLine = true
			continue
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("%s:%d: %w", n.path, n.next, err)
		}
		if err == io.EOF && len(chunk) == 0 && !inLine {
			return &LineError{File: n.path, Line: n.next - 1, Msg: fmt.Sprintf("the file ends at line %d, before line %d where the read is to go on: is it another file?", n.next-1, line)}
		}
		inLine = false
		n.line = n.next
		n.next++
	}
	return nil
}

// jsonErrorText says what encoding/json found wrong, for people: the field
// (a dotted path) when it knows it.
func jsonErrorText(err error) (field, msg string) {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "", fmt.Sprintf("not JSON: %v", se)
	case errors.As(err, &te):
		want := te.Type.String()
		if k := JSONKind(te.Type); k != "" {
			want = k
		}
		return te.Field, fmt.Sprintf("is a JSON %s, expected %s", te.Value, want)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "", "not JSON: the value is cut short"
	}
	return "", err.Error()
}

// JSONKind says what a decoder's type is in JSON, for a message about a
// value of another type, when its Go name would mean nothing to people (a
// struct such as firebase.Record): "an object" or "an array"; "" for the
// types whose name says it (string, int, bool).
func JSONKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return ""
}

// ElementError is bad input in a JSON array: the file, the element (its
// index in the array, and the key holding the array when there is one),
// and where: the byte offset in the uncompressed input where the element
// starts (or, for invalid UTF-8, the offending byte) and its line. Its
// text is FILE:LINE: users[3] (byte 1234): what is wrong.
type ElementError struct {
	File   string
	Line   int    // the line of Offset
	Key    string // "users" for {"users": [...]}, "" for a top-level array
	Index  int    // 0-based; -1 when the error is outside any element
	Offset int64
	Field  string
	Msg    string
}

func (e *ElementError) Error() string {
	where := fmt.Sprintf("byte %d", e.Offset)
	if e.Index >= 0 {
		where = fmt.Sprintf("%s[%d] (byte %d)", e.Key, e.Index, e.Offset)
	}
	if e.Line > 0 {
		where = fmt.Sprintf("%d: %s", e.Line, where)
	} else {
		where = " " + where
	}
	if e.Field != "" {
		return fmt.Sprintf("%s:%s: field %s: %s", e.File, where, Excerpt(e.Field), e.Msg)
	}
	return fmt.Sprintf("%s:%s: %s", e.File, where, e.Msg)
}

// JSONArrayReader reads the elements of a JSON array one at a time with
// encoding/json's Decoder.Token: a top-level array, or the array under
// one key of a top-level object ({"users": [...]}, as firebase auth:export
// writes it), other keys skipped token by token. Memory holds one element.
// The end of the input is checked too: a file cut short is an error, not
// fewer users.
type JSONArrayReader struct {
	path  string
	key   string
	base  int64 // bytes before what the decoder reads: a byte-order mark
	in    *countingReader
	dec   *json.Decoder
	index int
	start int64
	inObj bool
	done  bool
}

// NewJSONArrayReader reads r, gzip or not, and finds the array: r holds a
// top-level array, or an object with the array under key. path names the
// input in errors.
func NewJSONArrayReader(path string, r io.Reader, key string, lim Limits) (*JSONArrayReader, error) {
	u, err := gunzip(path, r)
	if err != nil {
		return nil, err
	}
	a := &JSONArrayReader{path: path, key: key, in: &countingReader{r: u, max: lim.record() + maxRead}}
	if br, ok := u.(*bufio.Reader); ok {
		if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
			br.Discard(3)
			a.base = 3
		}
	}
	a.dec = json.NewDecoder(a.in)
	t, err := a.token()
	if err != nil {
		return nil, err
	}
	switch t {
	case json.Delim('['):
		return a, nil
	case json.Delim('{'):
		a.inObj = true
	default:
		return nil, a.errorf(-1, "", "expected a JSON array or an object with a %q array, found %s", key, tokenText(t))
	}
	var keys []string
	for a.dec.More() {
		t, err := a.token()
		if err != nil {
			return nil, err
		}
		k, _ := t.(string)
		if k == key {
			t, err := a.token()
			if err != nil {
				return nil, err
			}
			if t != json.Delim('[') {
				return nil, a.errorf(-1, key, "expected an array, found %s", tokenText(t))
			}
			return a, nil
		}
		keys = append(keys, k)
		if err := a.skipValue(); err != nil {
			return nil, err
		}
	}
	return nil, a.errorf(-1, "", "the object has no %q array (its keys: %s)", key, Excerpt(strings.Join(keys, ",")))
}

// Next decodes the next element into v and returns its index; io.EOF after
// the last one, once the rest of the input has been checked.
func (a *JSONArrayReader) Next(v any) (int, error) {
	if a.done {
		return a.index, io.EOF
	}
	if !a.dec.More() {
		if a.in.err != nil {
			return a.index, a.wrap(a.index, a.in.err)
		}
		if err := a.finish(); err != nil {
			return a.index, err
		}
		a.done = true
		return a.index, io.EOF
	}
	a.in.mark(a.dec.InputOffset())
	a.start = a.base + a.elementStart()
	if err := a.dec.Decode(v); err != nil {
		return a.index, a.elementError(err)
	}
	i := a.index
	a.index++
	return i, nil
}

// Offset is the byte offset where the element read last starts.
func (a *JSONArrayReader) Offset() int64 { return a.start }

// elementStart is the offset of the next element's first byte: the
// decoder's offset is before the comma and spaces that precede it, which
// More has already read into the decoder's buffer.
func (a *JSONArrayReader) elementStart() int64 {
	off := a.dec.InputOffset()
	br, ok := a.dec.Buffered().(io.ByteReader)
	if !ok {
		return off
	}
	for {
		c, err := br.ReadByte()
		if err != nil {
			return off
		}
		switch c {
		case ' ', '\t', '\r', '\n', ',':
			off++
			continue
		}
		return off
	}
}

// finish reads what follows the array: its end, the rest of the object
// (other keys skipped), and nothing after.
func (a *JSONArrayReader) finish() error {
	if t, err := a.token(); err != nil {
		return err
	} else if t != json.Delim(']') {
		return a.errorf(-1, "", "expected the end of the array, found %s", tokenText(t))
	}
	if a.inObj {
		for a.dec.More() {
			if _, err := a.token(); err != nil {
				return err
			}
			if err := a.skipValue(); err != nil {
				return err
			}
		}
		if _, err := a.token(); err != nil {
			return err
		}
	}
	if t, err := a.dec.Token(); err != io.EOF {
		if err != nil {
			return a.wrap(-1, err)
		}
		return a.errorf(-1, "", "unexpected %s after the end of the JSON document", tokenText(t))
	}
	return nil
}

// token reads one token; the end of the input here means it was cut short.
func (a *JSONArrayReader) token() (json.Token, error) {
	t, err := a.dec.Token()
	if err == io.EOF {
		return nil, a.errorf(-1, "", "the JSON document ends too early: is the file cut short?")
	}
	if err != nil {
		return nil, a.wrap(-1, err)
	}
	return t, nil
}

// skipValue skips one value, token by token, never holding it whole.
func (a *JSONArrayReader) skipValue() error {
	depth := 0
	for {
		t, err := a.token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('['), json.Delim('{'):
			depth++
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func (a *JSONArrayReader) elementError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return a.errorf(a.index, "", "the element is cut short: is the file cut short?")
	}
	return a.wrap(a.index, err)
}

// wrap turns an error of the decoder or of the input into an ElementError.
func (a *JSONArrayReader) wrap(index int, err error) error {
	var le *limitError
	if errors.As(err, &le) {
		off := a.base + le.offset
		if le.tooLong {
			off = a.offset(index)
		}
		return &ElementError{File: a.path, Line: a.in.line(off - a.base), Key: a.key, Index: index, Offset: off, Msg: le.msg}
	}
	var ee *ElementError
	if errors.As(err, &ee) {
		return err
	}
	off := a.offset(index)
	var ge *gzipError
	if errors.As(err, &ge) {
		// A cut download: where the element it was cut in starts.
		return &ElementError{File: a.path, Line: a.in.line(off - a.base), Key: a.key, Index: index, Offset: off, Msg: strings.TrimPrefix(ge.Error(), a.path+": ")}
	}
	field, msg := jsonErrorText(err)
	return &ElementError{File: a.path, Line: a.in.line(off - a.base), Key: a.key, Index: index, Offset: off, Field: field, Msg: msg}
}

func (a *JSONArrayReader) errorf(index int, field, format string, args ...any) error {
	off := a.offset(index)
	return &ElementError{File: a.path, Line: a.in.line(off - a.base), Key: a.key, Index: index, Offset: off, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func (a *JSONArrayReader) offset(index int) int64 {
	if index >= 0 {
		return a.start
	}
	return a.base + a.dec.InputOffset()
}

func tokenText(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		return string(v)
	case string:
		return "the string " + Excerpt(v)
	case nil:
		return "null"
	}
	return fmt.Sprint(t)
}

// countingReader passes the input to the decoder, refusing an element over
// the limit (the decoder would buffer it whole) and invalid UTF-8 (which
// encoding/json would turn into U+FFFD without a word).
type countingReader struct {
	r     io.Reader
	n     int64 // bytes passed on
	start int64 // offset of the current element
	max   int64
	carry []byte // the start of a UTF-8 sequence cut by the last read
	err   error
	// Line ends, so that an error says its line: the offsets of those
	// passed on at or after start, and how many came before.
	nl       []int64
	nlBefore int
}

// maxRead bounds one read of the decoder: it reads until it holds a whole
// element, so what it holds beyond an element is at most one read, and an
// element over the limit is refused within maxRead of it.
const maxRead = 32 << 10

// limitError is what countingReader refuses, at an offset, or in the
// element being read (tooLong).
type limitError struct {
	offset  int64
	tooLong bool
	msg     string
}

func (e *limitError) Error() string { return fmt.Sprintf("byte %d: %s", e.offset, e.msg) }

func (c *countingReader) mark(start int64) {
	c.start = start
	k := 0
	for k < len(c.nl) && c.nl[k] < start {
		k++
	}
	c.nlBefore += k
	c.nl = append(c.nl[:0], c.nl[k:]...)
}

// line is the line of offset off, which is not before the current
// element's mark.
func (c *countingReader) line(off int64) int {
	n := c.nlBefore
	for _, o := range c.nl {
		if o >= off {
			break
		}
		n++
	}
	return n + 1
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if len(p) > maxRead {
		p = p[:maxRead]
	}
	n, err := c.r.Read(p)
	if n == 0 && err == io.EOF && len(c.carry) > 0 {
		c.err = &limitError{offset: c.n - int64(len(c.carry)), msg: "invalid UTF-8 at the end of the input (the file must be UTF-8)"}
		return 0, c.err
	}
	if n == 0 {
		return 0, err
	}
	if c.n+int64(n)-c.start > c.max {
		c.err = &limitError{tooLong: true, msg: fmt.Sprintf("the element is longer than %s, %d fields at the limit for one field; if it is real, raise the limit with --max-field-bytes",
			byteSize(c.max-maxRead), RecordFields)}
		return 0, c.err
	}
	if at, ok := c.validUTF8(p[:n], err == io.EOF); !ok {
		// The valid bytes before it go on, so that the error is met in
		// the element that holds it.
		c.err = &limitError{offset: at, msg: "invalid UTF-8 (the file must be UTF-8)"}
		n = int(at - c.n)
		err = nil
	}
	for i, b := 0, p[:n]; ; {
		k := bytes.IndexByte(b[i:], '\n')
		if k < 0 {
			break
		}
		c.nl = append(c.nl, c.n+int64(i+k))
		i += k + 1
	}
	c.n += int64(n)
	return n, err
}

// validUTF8 checks p, which follows what was read before, and returns the
// offset of the first invalid byte. A sequence cut at the end of p is
// checked with the next read.
func (c *countingReader) validUTF8(p []byte, last bool) (int64, bool) {
	b := p
	base := c.n
	if len(c.carry) > 0 {
		b = append(append([]byte{}, c.carry...), p...)
		base -= int64(len(c.carry))
	}
	c.carry = c.carry[:0]
	if utf8.Valid(b) {
		return 0, true
	}
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			if !last && !utf8.FullRune(b[i:]) {
				c.carry = append(c.carry, b[i:]...)
				return 0, true
			}
			return base + int64(i), false
		}
		i += size
	}
	return 0, true
}

// OpenNDJSON opens one of the run's files as NDJSON within the run's
// limits; the caller closes the file.
func (r *Run) OpenNDJSON(path string) (*os.File, *NDJSONReader, error) {
	f, err := r.Open(path)
	if err != nil {
		return nil, nil, err
	}
	n, err := NewNDJSONReader(path, r.settings.Progress.reader(path, f), r.settings.Limits)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, n, nil
}

// OpenJSONArray opens one of the run's files as a JSON array (top-level,
// or under key) within the run's limits; the caller closes the file.
func (r *Run) OpenJSONArray(path, key string) (*os.File, *JSONArrayReader, error) {
	f, err := r.Open(path)
	if err != nil {
		return nil, nil, err
	}
	a, err := NewJSONArrayReader(path, r.settings.Progress.reader(path, f), key, r.settings.Limits)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, a, nil
}
