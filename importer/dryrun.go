package importer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/mig-tools/mig/staging"
	"github.com/mig-tools/mig/workosemu"
)

// dryRun sends every row through the same pipeline, on a copy of the
// staging database, to an in-process emulator that starts empty: the report
// shows the duplicate emails (adopted users) and the organization lookups
// (organizations referenced by external id that WorkOS would not have) a
// real run would meet, and neither WorkOS nor the real database changes.
// Organizations given by WorkOS id cannot exist in an empty emulator; they
// are stood in for by placeholders so their memberships still go through.
func dryRun(ctx context.Context, db *staging.DB, opts Options) (*Summary, error) {
	dir, err := os.MkdirTemp("", "mig-dry-run-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	copyPath := filepath.Join(dir, "dry-run.db")
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, copyPath); err != nil {
		return nil, fmt.Errorf("dry run: copy the staging database: %w", err)
	}
	cp, err := staging.Open(ctx, copyPath)
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	defer cp.Close()

	emu, err := workosemu.New(workosemu.Options{RateLimits: workosemu.RateLimitsOff})
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	defer emu.Close()

	o := opts
	o.DryRun, o.Plan = false, false
	o.Endpoint = "http://emulator.invalid"
	o.APIKey = "sk_test_dry_run"
	o.HTTPClient = &http.Client{Transport: handlerTransport{emu}}
	o.RateLimit = -1
	only, err := onlySet(o.Only)
	if err != nil {
		return nil, err
	}
	s, runErr := runWith(ctx, cp, o, only, true)
	var pe *PartialError
	if runErr != nil && !errors.As(runErr, &pe) {
		return s, runErr
	}
	s.DryRun = true
	s.Endpoint = opts.Endpoint
	if s.Failures, err = Errors(ctx, cp); err != nil {
		return s, err
	}
	return s, nil
}

// handlerTransport serves requests with an in-process handler, without a
// socket.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	// A server request always has a body; a client's GET has none.
	if req.Body == nil {
		req = req.Clone(req.Context())
		req.Body = http.NoBody
	}
	t.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}
