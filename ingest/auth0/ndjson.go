package auth0

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// lineReader reads newline-delimited JSON one line at a time, in constant
// memory: a line longer than max is an error naming it, not a reason to
// hold the file.
type lineReader struct {
	r    *bufio.Reader
	max  int
	line int
	buf  []byte
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 256<<10), max: max}
}

// errLineTooLong is wrapped in the error for a line over the limit.
var errLineTooLong = errors.New("line too long")

// next returns the next non-blank line without its end, valid until the
// following call, and its 1-based number. At the end it returns io.EOF.
func (l *lineReader) next() ([]byte, int, error) {
	for {
		l.buf = l.buf[:0]
		for {
			chunk, err := l.r.ReadSlice('\n')
			l.buf = append(l.buf, chunk...)
			if len(l.buf) > l.max {
				l.line++
				return nil, l.line, fmt.Errorf("%w: more than %d bytes", errLineTooLong, l.max)
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, l.line + 1, err
			}
			if len(l.buf) == 0 && errors.Is(err, io.EOF) {
				return nil, l.line, io.EOF
			}
			break
		}
		l.line++
		b := bytes.TrimSpace(l.buf)
		if len(b) > 0 {
			return b, l.line, nil
		}
	}
}

// skipTo passes over the lines up to and including line without decoding
// them (blank lines included, as next counts them).
func (l *lineReader) skipTo(line int) error {
	inLine := false
	for l.line < line {
		chunk, err := l.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			inLine = true
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if len(chunk) > 0 || inLine {
			l.line++
		}
		inLine = false
		if errors.Is(err, io.EOF) && l.line < line {
			return fmt.Errorf("the file ends at line %d, before line %d", l.line, line)
		}
	}
	return nil
}
