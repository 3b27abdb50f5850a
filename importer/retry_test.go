package importer_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/importer/workosapi"
	"github.com/mig-tools/mig/workosemu"
)

// TestRetryFailedAfterTheFix: a membership fails 422 invalid_role, the
// role is then defined in WorkOS, and --retry-failed --all goes through.
// The retried row sends a new Idempotency-Key, so even an emulator that
// replays every key (--idempotency all) answers it afresh instead of
// replaying the stored 422.
func TestRetryFailedAfterTheFix(t *testing.T) {
	for _, mode := range []string{workosemu.IdempotencySpec, workosemu.IdempotencyAll} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			_, url := emulator(t, workosemu.Options{Idempotency: mode})
			s := newStage(t)
			o := s.org("name", "", "", "One")
			s.member(s.user(userSpec{email: "a@example.com"}), o, "editor")
			_, err := importer.Run(ctx, s.db, opts(url))
			var pe *importer.PartialError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a partial import", err)
			}
			wantItems(t, s, map[string]int{"organization done created": 1, "user done created": 1, "membership failed invalid_role": 1})

			// The fix: the role is defined in WorkOS.
			api := &workosapi.Client{Endpoint: url, APIKey: testKey, HTTPClient: http.DefaultClient}
			if _, err := api.CreateRole(ctx, "", "editor", "Editor", ""); err != nil {
				t.Fatal(err)
			}
			o2 := opts(url)
			o2.RetryFailed, o2.RetryAll = true, true
			if _, err := importer.Run(ctx, s.db, o2); err != nil {
				t.Fatalf("--retry-failed --all: %v", err)
			}
			wantItems(t, s, map[string]int{"organization done created": 1, "user done created": 1, "membership done created": 1})
		})
	}
}
