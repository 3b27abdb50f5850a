package migpackage

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/mig-tools/mig/ingest"
)

// A rowSink takes the rows an ingest cannot stage when it is asked to go on
// without them (see Scratch): a row whose values the ingest refuses (an
// organization without any identifier, a membership that names no user,
// ...), as the *ingest.LineError that would otherwise have stopped it.
// What cannot be read at all (a CSV syntax error, a file without the
// columns the ingest needs, a manifest it cannot use) is passed over
// without a word: the contract check, which validate-package runs on the
// same package, names each of those.
type rowSink func(*ingest.LineError)

type rowSinkKey struct{}

// withRowSink returns ctx carrying sink, the way net/http/httptrace
// carries its hooks: the readers of this package, however deep, find it
// there. Without one, the first bad row stops the ingest.
func withRowSink(ctx context.Context, sink rowSink) context.Context {
	return context.WithValue(ctx, rowSinkKey{}, sink)
}

// lenient reports whether ctx carries a row sink.
func lenient(ctx context.Context) bool {
	_, ok := ctx.Value(rowSinkKey{}).(rowSink)
	return ok
}

// unreadable returns nil for an error reading a file (a *ingest.LineError)
// when ctx carries a row sink: the row or file is passed over. Any other
// error is returned.
func unreadable(ctx context.Context, err error) error {
	var le *ingest.LineError
	if lenient(ctx) && errors.As(err, &le) {
		return nil
	}
	return err
}

// refuse hands a *ingest.LineError a row's staging returned to ctx's row
// sink and returns nil, so the ingest goes on without the row. Without a
// sink, or for any other error, it returns err.
func refuse(ctx context.Context, err error) error {
	sink, ok := ctx.Value(rowSinkKey{}).(rowSink)
	var le *ingest.LineError
	if !ok || !errors.As(err, &le) {
		return err
	}
	sink(le)
	return nil
}

// readRows calls fn for each data row of one of the run's CSV files, within
// the run's limits, after checking the header has the required columns, and returns the number of rows. With a
// row sink in ctx, a file without the columns is read as empty, and a row
// that cannot be read or that fn refuses is passed over (see rowSink).
func readRows(ctx context.Context, run *ingest.Run, path string, required []string, fn func(get func(string) string, line int) error) (int, error) {
	return eachRow(ctx, run, path, required, false, fn)
}

// readRowsAhead is readRows with the file read and parsed on a goroutine
// of its own, ahead of fn: for the big files whose rows fn writes to the
// database, which is then the only work left on this goroutine.
func readRowsAhead(ctx context.Context, run *ingest.Run, path string, required []string, fn func(get func(string) string, line int) error) (int, error) {
	return eachRow(ctx, run, path, required, true, fn)
}

// csvRow is a row read ahead: its fields, or the error reading it.
type csvRow struct {
	rec  []string
	line int
	err  error
}

func eachRow(ctx context.Context, run *ingest.Run, path string, required []string, ahead bool, fn func(get func(string) string, line int) error) (int, error) {
	f, r, err := run.OpenCSV(path)
	if err != nil {
		return 0, unreadable(ctx, err)
	}
	defer f.Close()
	if _, err := r.Header(required...); err != nil {
		return 0, unreadable(ctx, err)
	}
	if !ahead && !lenient(ctx) {
		return r.Each(ctx, fn)
	}
	row := func(c csvRow) error {
		if c.err != nil {
			return unreadable(ctx, c.err)
		}
		get := func(col string) string { return strings.TrimSpace(r.Get(c.rec, strings.ToLower(col))) }
		return refuse(ctx, fn(get, c.line))
	}
	n := 0
	read := func(ctx context.Context, each func(csvRow) bool) error {
		for {
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			rec, line, err := r.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			n++
			if !each(csvRow{rec: rec, line: line, err: err}) {
				return ctx.Err()
			}
		}
	}
	if !ahead {
		var rowErr error
		err := read(ctx, func(c csvRow) bool {
			rowErr = row(c)
			return rowErr == nil
		})
		if rowErr != nil {
			return n, rowErr
		}
		return n, err
	}
	err = pipeline(ctx, func(ctx context.Context, send func([]csvRow) bool) error {
		var batch []csvRow
		err := read(ctx, func(c csvRow) bool {
			c.rec = slices.Clone(c.rec) // the reader reuses it for the next row
			if batch = append(batch, c); len(batch) == 256 {
				ok := send(batch)
				batch = nil
				return ok
			}
			return true
		})
		if err == nil && len(batch) > 0 && !send(batch) {
			err = ctx.Err()
		}
		return err
	}, func(batch []csvRow) error {
		for _, c := range batch {
			if err := row(c); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}
