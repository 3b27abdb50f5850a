package ingest_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/ingesttest"

	"github.com/mig-tools/mig/ingest"
)

// TestWithoutUsers: an ingest that hands over no users (an API source
// asked for its connections only) leaves the users staged before as they
// are, keeps their skipped rows and warnings, and, on the source's first
// run, does not rebuild the users' indexes over the other sources' users.
func TestWithoutUsers(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	stageUsers(t, db, "other", [2]string{"o|1", "one@x.test"})
	_, err := ingest.Ingest(ctx, db, ingest.Spec{Source: ingest.Source{Provider: "api"},
		Decode: func(ctx context.Context, _ ingest.Inputs, sink ingest.DefinitionSink) error {
			if err := sink.AddUser(ctx, "api:/users", &ingest.User{SourceID: "a|1", Row: 1, EmailRaw: "a@x.test", Raw: map[string]string{}}); err != nil {
				return err
			}
			if err := sink.Skip(ctx, "api:/users", 2, "a|2", "", "no email", nil); err != nil {
				return err
			}
			return sink.Warn(ctx, ingest.Warning{Code: "user_note", Entity: "user", SourceID: "a|1", Message: "about a user"})
		}})
	if err != nil {
		t.Fatal(err)
	}
	connectionsOnly := func(provider string) (ingest.Counts, string) {
		var log bytes.Buffer
		c, err := ingest.Ingest(ctx, db, ingest.Spec{Source: ingest.Source{Provider: provider}, WithoutUsers: true,
			Complete: []ingest.Kind{ingest.SSOConnections},
			Log:      slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Decode: func(ctx context.Context, _ ingest.Inputs, sink ingest.DefinitionSink) error {
				return sink.AddSSOConnection(ctx, "api:/connections", oidcConn)
			}})
		if err != nil {
			t.Fatal(err)
		}
		return c, log.String()
	}
	c, _ := connectionsOnly("api")
	if c.Missing != 0 || get[int](t, db, `SELECT count(*) FROM users WHERE source = 'api' AND change = 'missing'`) != 0 {
		t.Errorf("users marked missing: %+v", c)
	}
	if n := get[int](t, db, `SELECT count(*) FROM skipped_users WHERE source = 'api'`); n != 1 {
		t.Errorf("%d skipped rows left, want the one of the users' run", n)
	}
	if n := get[int](t, db, `SELECT count(*) FROM warnings WHERE code = 'user_note'`); n != 1 {
		t.Errorf("the warning about a user is gone (%d)", n)
	}
	if _, log := connectionsOnly("fresh"); strings.Contains(log, "build index users_") {
		t.Errorf("a first run without users rebuilt the users' indexes:\n%s", log)
	}
}
