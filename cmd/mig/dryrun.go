package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/staging"
	"github.com/mig-tools/mig/workosemu"
)

// dryRun is mig import --dry-run: every row goes through the importer, on a
// copy of the staging database, to an in-process emulator that starts
// empty, so the report shows the duplicate emails (adopted users) and the
// organization lookups (organizations referenced by external id that
// WorkOS would not have) a real run would meet, and neither WorkOS nor the
// staging database changes. The organizations the staging names by WorkOS
// id are added to the emulator first, as the environment would have them.
func dryRun(ctx context.Context, db *staging.DB, o importer.Options) (*importer.Summary, error) {
	dir, err := os.MkdirTemp("", "mig-dry-run-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cp, err := db.Copy(ctx, filepath.Join(dir, "dry-run.db"))
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	defer cp.Close()

	// What the command line stages (--org-id) goes into the copy first, so
	// that the organizations it names are added to the emulator too.
	if o.Prepare != nil {
		if err := cp.InTx(ctx, func(tx *sqlx.Tx) error { return o.Prepare(ctx, tx) }); err != nil {
			return nil, fmt.Errorf("dry run: %w", err)
		}
		o.Prepare = nil
	}
	emu, err := workosemu.New(workosemu.Options{RateLimits: workosemu.RateLimitsOff})
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	defer emu.Close()
	ids, err := importer.OrganizationsByID(ctx, cp)
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	for _, id := range ids {
		if err := emu.AddOrganization(id, "stand-in for "+id+" (dry run)"); err != nil {
			return nil, fmt.Errorf("dry run: %w", err)
		}
	}

	endpoint := o.Endpoint
	o.Endpoint = "http://emulator.invalid"
	o.APIKey = "sk_test_dry_run"
	o.HTTPClient = &http.Client{Transport: handlerTransport{emu}}
	o.RateLimit = -1
	s, runErr := importer.Rehearse(ctx, cp, o)
	var pe *importer.PartialError
	if runErr != nil && !errors.As(runErr, &pe) {
		return s, runErr
	}
	s.DryRun = true
	s.Endpoint = endpoint
	if s.Failures, err = importer.Errors(ctx, cp); err != nil {
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
