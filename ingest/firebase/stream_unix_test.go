//go:build unix

package firebase_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/firebase"
	"github.com/mig-tools/mig/ingest/ingesttest"
)

// TestReadStreams proves the export is read as a stream: it comes through a
// named pipe whose writer sends the rest of the file only after the first
// user has reached the sink. A reader that loaded the file whole before
// handing over a user would wait forever.
func TestReadStreams(t *testing.T) {
	path := filepath.Join(t.TempDir(), "export.json")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	first := make(chan struct{})
	go func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		fmt.Fprint(f, `{"users": [{"localId": "u0", "email": "u0@example.com"}`)
		select {
		case <-first:
		case <-time.After(time.Minute):
			return // the reader never handed over user 1: the test fails below
		}
		for i := 1; i < 1000; i++ {
			fmt.Fprintf(f, `, {"localId": "u%d", "email": "u%d@example.com"}`, i, i)
		}
		fmt.Fprint(f, "]}")
	}()
	rec := &userHook{onUser: func(u *ingest.User) {
		if u.SourceID == "u0" {
			close(first)
		}
	}}
	err := firebase.Decode(context.Background(), ingesttest.Files{}, rec, firebase.Options{File: path})
	if err != nil {
		t.Fatalf("%v (the first user did not reach the sink before the rest of the file was needed)", err)
	}
	if len(rec.Users) != 1000 {
		t.Errorf("%d users; want 1000", len(rec.Users))
	}
}

// userHook is a Recorder that also calls onUser with every user.
type userHook struct {
	ingesttest.Recorder
	onUser func(*ingest.User)
}

func (h *userHook) AddUser(ctx context.Context, file string, u *ingest.User) error {
	h.onUser(u)
	return h.Recorder.AddUser(ctx, file, u)
}
