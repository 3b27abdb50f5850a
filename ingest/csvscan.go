package ingest

import (
	"bytes"
	"fmt"
	"io"
)

// scanner sits between a CSV file and encoding/csv. It follows the CSV
// grammar just far enough to know where each record and field starts (a
// comma or a line end outside quotes), so that it can refuse a field, a
// record or a number of fields over the limits before encoding/csv has
// buffered them: memory stays bounded whatever the input, a line with no end
// or a quote never closed included. It also finds a bare quote (a quote in a
// field that does not start with one) with its field, where encoding/csv
// says only "bare quote" after reading the whole line.
//
// Its line numbers count "\n" as encoding/csv does, from 1 at the first
// byte it reads.
type scanner struct {
	r         io.Reader
	maxField  int64
	maxRecord int64
	maxFields int

	// Positions are offsets from the first byte the scanner read.
	off        int64 // of the next byte Read reads
	line       int   // line of the next byte
	lineStart  int64 // of the first byte of that line
	recLine    int   // line where the current record starts
	recStart   int64
	field      int // index of the current field in its record (0-based)
	fieldStart int64
	state      uint8
	// Where the current quoted field opened.
	quoteLine, quoteCol, quoteField, quoteRecLine int

	eof       bool  // the file has been read to its end
	lineEnded bool  // the last byte read is a line end
	err       error // what the scanner refused; every later Read returns it
	cut       int64 // where the refused input starts
}

// The scanner's states, after the byte it read last.
const (
	stFieldStart    uint8 = iota // at the start of a field
	stUnquoted                   // in a field that does not start with a quote
	stQuoted                     // in a quoted field
	stQuoteInQuoted              // a quote in a quoted field: its end, or the first of ""
	stQuoteCR                    // a CR after a closing quote: a CRLF line end, or an error
)

// scanError is something the scanner refused, at the record starting on
// line (or, for a bare quote, on the quote's line), in field (0-based).
type scanError struct {
	line, field int
	msg         string
}

func (e *scanError) Error() string {
	return fmt.Sprintf("line %d, field %d: %s", e.line, e.field+1, e.msg)
}

// Read passes on the bytes before anything the scanner refuses; the Read
// after that returns the error.
func (s *scanner) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	s.scan(p[:n])
	if s.err != nil {
		if k := int(s.cut - s.off); k > 0 {
			s.off += int64(k)
			return k, nil
		}
		return 0, s.err
	}
	s.off += int64(n)
	if err == io.EOF {
		s.eof = true
	}
	return n, err
}

// scan follows the grammar through p, which starts at s.off. Runs of plain
// bytes are skipped a byte at a time only outside quotes; inside quotes,
// bytes.IndexByte finds the next quote.
func (s *scanner) scan(p []byte) {
	for i := 0; i < len(p); {
		switch s.state {
		case stFieldStart, stUnquoted:
			// The plain bytes and commas up to the next quote or line end
			// are taken at once. Only when a field in them could be over
			// the limit, or the fields too many, are the commas visited
			// one by one.
			run := p[i:]
			if k := bytes.IndexByte(run, '\n'); k >= 0 {
				run = run[:k]
			}
			if k := bytes.IndexByte(run, '"'); k >= 0 {
				run = run[:k]
			}
			if len(run) > 0 {
				at := s.off + int64(i)
				if c := bytes.Count(run, comma); at+int64(len(run))-s.fieldStart <= s.maxField && s.field+c < s.maxFields {
					if c > 0 {
						s.field += c - 1
						s.nextField(at + int64(bytes.LastIndexByte(run, ',')))
					}
				} else {
					for k := bytes.IndexByte(run, ','); k >= 0 && s.err == nil; k = bytes.IndexByte(run, ',') {
						s.nextField(at + int64(k))
						at += int64(k) + 1
						run = run[k+1:]
					}
					run = p[i:][:at-s.off-int64(i)+int64(len(run))]
				}
				if s.err != nil {
					return
				}
				s.state = stUnquoted
				if last := len(run) - 1; run[last] == ',' {
					s.state = stFieldStart
				}
				i += len(run)
			}
			if i == len(p) {
				continue
			}
			at := s.off + int64(i)
			switch p[i] {
			case '\n':
				s.nextRecord(at)
			case '"':
				if s.state == stFieldStart {
					s.state = stQuoted
					s.quoteLine, s.quoteCol, s.quoteField, s.quoteRecLine = s.line, int(at-s.lineStart)+1, s.field, s.recLine
				} else {
					s.refuse(at, s.line, fmt.Sprintf(`a quote inside a field that does not start with one (column %d): quotes are read strictly; `+
						`put the whole field in quotes and write the quote twice, as in "5"" screen"`, at-s.lineStart+1))
				}
			}
			i++
		case stQuoted:
			q := bytes.IndexByte(p[i:], '"')
			end := len(p)
			if q >= 0 {
				end = i + q
			}
			if k := bytes.Count(p[i:end], nl); k > 0 {
				s.line += k
				s.lineStart = s.off + int64(i+bytes.LastIndexByte(p[i:end], '\n')) + 1
			}
			i = end
			if q >= 0 {
				s.state = stQuoteInQuoted
				i++
			}
		case stQuoteInQuoted, stQuoteCR:
			at := s.off + int64(i)
			switch c := p[i]; {
			case c == '"' && s.state == stQuoteInQuoted:
				s.state = stQuoted
			case c == ',' && s.state == stQuoteInQuoted:
				s.nextField(at)
			case c == '\r' && s.state == stQuoteInQuoted:
				s.state = stQuoteCR
			case c == '\n':
				s.nextRecord(at)
			default:
				// encoding/csv would say only "extraneous or missing \"
				// in quoted-field" of the line; the scanner knows the field.
				s.refuse(at, s.line, fmt.Sprintf(`text after the closing quote of a quoted field (column %d): `+
					`a quote inside a quoted field is written twice: ""`, at-s.lineStart+1))
				return
			}
			i++
		}
		if s.err != nil {
			return
		}
	}
	if len(p) > 0 {
		s.lineEnded = p[len(p)-1] == '\n'
	}
	s.checkLimits(s.off + int64(len(p)))
}

var nl, comma = []byte{'\n'}, []byte{','}

// nextField starts the record's next field after the comma at offset at.
func (s *scanner) nextField(at int64) {
	if s.checkLimits(at); s.err != nil {
		return
	}
	s.field++
	s.fieldStart = at + 1
	s.state = stFieldStart
	if s.field >= s.maxFields {
		s.refuse(at+1, s.recLine, fmt.Sprintf("the record has more than %d fields; no format mig reads has more than a few dozen", s.maxFields))
	}
}

// nextRecord starts a record after the line end at offset at.
func (s *scanner) nextRecord(at int64) {
	if s.checkLimits(at); s.err != nil {
		return
	}
	s.line++
	s.lineStart = at + 1
	s.recLine = s.line
	s.recStart, s.fieldStart = at+1, at+1
	s.field = 0
	s.state = stFieldStart
}

// checkLimits refuses the current field or record when it is over its
// limit before offset end.
func (s *scanner) checkLimits(end int64) {
	var msg string
	var cut int64
	switch {
	case end-s.fieldStart > s.maxField:
		cut = s.fieldStart + s.maxField
		msg = fmt.Sprintf("longer than the limit of %s for one field; if the value is real, raise the limit with --max-field-bytes", byteSize(s.maxField))
	case end-s.recStart > s.maxRecord:
		cut = s.recStart + s.maxRecord
		msg = fmt.Sprintf("the record is longer than %s, %d fields at the limit for one field; if it is real, raise the limit with --max-field-bytes",
			byteSize(s.maxRecord), s.maxRecord/s.maxField)
	default:
		return
	}
	if s.state == stQuoted {
		// The usual cause is a quote that was meant as text.
		msg += fmt.Sprintf("; the field is a quoted one still open since line %d, column %d: is that quote closed?", s.quoteLine, s.quoteCol)
	}
	s.refuse(cut, s.recLine, msg)
}

// refuse stops the scan: input from offset cut on is not passed on.
func (s *scanner) refuse(cut int64, line int, msg string) {
	s.err = &scanError{line: line, field: s.field, msg: msg}
	s.cut = cut
}

// byteSize says a size in the largest binary unit that divides it.
func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
