package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// Stdin is the name of the users file read from standard input ("-" on the
// command line). Messages and the database name it so.
const Stdin = "<stdin>"

// Settings change how a run reads its files and what it refuses, never
// what it stages, so they are not among the options a re-run is compared
// by.
type Settings struct {
	// Limits bound one CSV record of every file the run reads.
	Limits Limits
	// AcceptMissing lets a re-ingest mark more than half of the source's
	// staged users missing (see MissingError).
	AcceptMissing bool
	// Stdin is what a file named Stdin reads (default os.Stdin).
	Stdin io.Reader
	// Log says when the run waits for an input that gives nothing yet
	// (default slog.Default()).
	Log *slog.Logger
	// Progress, when set, is kept up to date with how far the run (and
	// the fetch into its spool) has come, for a display.
	Progress *Progress
	// fetches is Spec.Fetches: the run also reads an API.
	fetches bool

	// supplement marks the run of a file that only adds to staged users
	// (supplement.go): it has no users phase and replaces no warnings.
	supplement bool
	// withoutUsers marks a run that hands over no users (Spec.WithoutUsers):
	// the skipped users and the warnings about users of earlier runs stay.
	withoutUsers bool
	// noDigests decodes every record of the users file, trusting no record
	// digest of the last run: the run again after errRecordsConflict.
	noDigests bool
}

// waitNotice is how long a run waits for the first byte of a non-regular
// input before saying on stderr that it is waiting.
const waitNotice = time.Second

// spoolInputs reads every input that cannot be read twice (standard input,
// a pipe, a FIFO, a process substitution such as <(zcat users.csv.gz)) into
// a private file next to the database, digesting it on the way, and
// returns a function that removes the copies.
//
// A run reads its files more than once: the digest decides whether the
// files are the ones the last run read (before anything is staged), and a
// WorkOS-format users file is read twice (once to stage users in bulk, once
// for their memberships). A copy is what makes every later read see the
// same bytes. It is made next to the database, not in $TMPDIR: the disk
// that holds a staging database has room for its input, where /tmp is
// often a small RAM disk. It is created 0600, as it holds password hashes
// and TOTP secrets, and removed when the run ends (a SIGKILL leaves it
// behind, named .DB.input-*).
func spoolInputs(ctx context.Context, dbPath string, files []*File, set Settings) (func(), error) {
	var made []string
	cleanup := func() {
		for _, p := range made {
			os.Remove(p)
		}
	}
	for _, f := range files {
		if f.Path != Stdin {
			st, err := os.Stat(f.Path)
			if err != nil {
				cleanup()
				return nil, err
			}
			if st.Mode().IsRegular() {
				continue
			}
			if st.IsDir() {
				cleanup()
				return nil, fmt.Errorf("%s is a directory", f.Path)
			}
		}
		p, err := spool(ctx, dbPath, f, set)
		if p != "" {
			made = append(made, p)
		}
		if err != nil {
			cleanup()
			return nil, err
		}
	}
	return cleanup, nil
}

// spool copies one input into a private file and records its digest and
// size in f. Opening a FIFO blocks until a writer opens it, and reading a
// terminal until someone types: when nothing has arrived after
// waitNotice, the run says what it waits for, and Ctrl-C stops the wait.
func spool(ctx context.Context, dbPath string, f *File, set Settings) (string, error) {
	dir, base := filepath.Split(dbPath)
	tmp, err := os.CreateTemp(dir, "."+base+".input-*")
	if err != nil {
		return "", fmt.Errorf("copy %s: %w", f.Path, err)
	}
	set.Progress.begin(PhaseCopying, 0)
	got := set.Progress.counter(f.Path)
	done := make(chan error, 1)
	h := sha256.New()
	go func() {
		done <- func() error {
			var src io.Reader
			if f.Path == Stdin {
				src = set.Stdin
				if src == nil {
					src = os.Stdin
				}
			} else {
				in, err := os.Open(f.Path)
				if err != nil {
					return err
				}
				defer in.Close()
				src = in
			}
			_, err := io.Copy(io.MultiWriter(tmp, h, counter{got}), src)
			return err
		}()
	}()
	log := set.Log
	if log == nil {
		log = slog.Default()
	}
	wait := time.NewTimer(waitNotice)
	defer wait.Stop()
	for {
		select {
		case err := <-done:
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return tmp.Name(), fmt.Errorf("read %s: %w", f.Path, err)
			}
			f.spool, f.hash, f.size = tmp.Name(), hex.EncodeToString(h.Sum(nil)), got.Load()
			return tmp.Name(), nil
		case <-wait.C:
			if got.Load() == 0 {
				log.Warn(fmt.Sprintf("waiting for input from %s: nothing has been written to it yet (Ctrl-C stops)", f.Path))
			}
		case <-ctx.Done():
			// The copying goroutine may stay blocked in open or read; the
			// process is about to end, and the copy is removed.
			tmp.Close()
			return tmp.Name(), fmt.Errorf("waiting for %s: %w", f.Path, ctx.Err())
		}
	}
}

// counter counts the bytes written through it.
type counter struct{ n *atomic.Int64 }

func (c counter) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return len(p), nil
}

// Open opens one of the run's files by the path the source was given: the
// private copy of an input that could be read only once, else the file.
func (r *Run) Open(path string) (*os.File, error) {
	for _, f := range r.files {
		if f.Path == path && f.spool != "" {
			return os.Open(f.spool)
		}
	}
	if path == Stdin {
		return nil, errors.New("standard input is not one of the run's files")
	}
	return os.Open(path)
}

// OpenCSV opens one of the run's files for reading as CSV within the run's
// limits; the caller closes the file.
func (r *Run) OpenCSV(path string) (*os.File, *CSVReader, error) {
	f, err := r.Open(path)
	if err != nil {
		return nil, nil, err
	}
	c, err := NewLimitedCSVReader(path, r.settings.Progress.reader(path, f), r.settings.Limits)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, c, nil
}
