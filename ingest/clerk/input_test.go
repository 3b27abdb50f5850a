package clerk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mig-tools/mig/ingest/ingesttest"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/clerk"
)

// The users file may be standard input, read once: its digest is taken
// from the copy, so the same input again is a no-op.
func TestUsersFromStdin(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	content := header + "user_1,A,B,,a@example.com,,a@example.com,,,,,,\nuser_2,C,D,,c@example.com,,,,,,,,\n"
	o := clerk.Options{UsersFile: ingest.Stdin, Settings: ingest.Settings{Stdin: strings.NewReader(content)}}
	c, err := clerk.Ingest(ctx, db, o)
	if err != nil || c.New != 2 {
		t.Fatalf("from stdin: %+v, %v", c, err)
	}
	if got := query[string](t, db, `SELECT path || ' ' || size FROM ingest_files`); got != fmt.Sprint(ingest.Stdin, " ", len(content)) {
		t.Fatalf("ingest_files = %q", got)
	}
	o.Settings.Stdin = strings.NewReader(content)
	if _, err := clerk.Ingest(ctx, db, o); !errors.Is(err, ingest.ErrUnchanged) {
		t.Fatalf("same stdin again: err = %v, want ErrUnchanged", err)
	}
	noCopiesLeft(t, db.Path)
}

// A FIFO is read once (before the fix the digest read it and the reader
// found it empty). One with no writer yet makes the run say that it waits,
// and goes on when a writer comes.
func TestUsersFromFIFO(t *testing.T) {
	ctx := context.Background()
	content := header + "user_1,A,B,,a@example.com,,a@example.com,,,,,,\n"
	fifo := filepath.Join(t.TempDir(), "users.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	writeFIFO := func() error {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		_, err = f.WriteString(content)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}

	t.Run("with a writer", func(t *testing.T) {
		db := ingesttest.OpenDB(t)
		werr := make(chan error, 1)
		go func() { werr <- writeFIFO() }()
		c, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: fifo})
		if err != nil || c.New != 1 {
			t.Fatalf("from a FIFO: %+v, %v", c, err)
		}
		if err := <-werr; err != nil {
			t.Fatal(err)
		}
		noCopiesLeft(t, db.Path)
	})

	t.Run("waiting for a writer", func(t *testing.T) {
		db := ingesttest.OpenDB(t)
		var log syncBuffer
		done := make(chan error, 1)
		go func() {
			_, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: fifo, Log: slog.New(slog.NewTextHandler(&log, nil))})
			done <- err
		}()
		// The run says it waits; only then does a writer come.
		for !strings.Contains(log.String(), "waiting for input from "+fifo) {
			select {
			case err := <-done:
				t.Fatalf("the run ended without a writer: %v", err)
			case <-time.After(20 * time.Millisecond):
			}
		}
		if err := writeFIFO(); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})

	t.Run("interrupted while waiting", func(t *testing.T) {
		db := ingesttest.OpenDB(t)
		before := dump(t, db)
		cctx, cancel := context.WithCancel(ctx)
		var log syncBuffer
		done := make(chan error, 1)
		go func() {
			_, err := clerk.Ingest(cctx, db, clerk.Options{UsersFile: fifo, Log: slog.New(slog.NewTextHandler(&log, nil))})
			done <- err
		}()
		for !strings.Contains(log.String(), "waiting for input") {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if dump(t, db) != before {
			t.Fatal("an interrupted ingest changed the database")
		}
		noCopiesLeft(t, db.Path)
		// Let the goroutine still blocked opening the FIFO go.
		if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
}

// noCopiesLeft fails when a private copy of an input is left next to the
// database.
func noCopiesLeft(t *testing.T, dbPath string) {
	t.Helper()
	left, err := filepath.Glob(filepath.Join(filepath.Dir(dbPath), ".*.input-*"))
	if err != nil || len(left) > 0 {
		t.Fatalf("copies of inputs left: %v %v", left, err)
	}
}

// syncBuffer is a bytes.Buffer for one writer and one reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
