package clerk_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/ingesttest"

	"github.com/mig-tools/mig/ingest/clerk"
	"github.com/mig-tools/mig/ingest/clerk/clerkfake"
)

// TestIngestEnterpriseSecrets stages the export and the instance's
// enterprise connections in one run: without secrets asked for, the client
// secret an answer carries is left out with a warning; with them, it is
// staged. The secret key is never in the database; a run with the same
// export is not refused as unchanged, since the connections may have
// changed.
func TestIngestEnterpriseSecrets(t *testing.T) {
	const secret = "oidc-client-s3cret"
	ctx := context.Background()
	for _, include := range []bool{false, true} {
		srv := clerkfake.Start(t, samlCustom(), oidcCustom())
		srv.RevealSecrets = true
		db := ingesttest.OpenDB(t)
		o := clerk.Options{UsersFile: "../../testdata/fixtures/clerk/anchor-export.csv", IncludeSecrets: include,
			Enterprise: &clerk.EnterpriseOptions{BaseURL: srv.URL, SecretKey: clerkfake.SecretKey}}
		for range 2 {
			if _, err := clerk.Ingest(ctx, db, o); err != nil {
				t.Fatal(err)
			}
		}
		var got string
		if err := db.Get(&got, `SELECT group_concat(source_connection_id || ':' || coalesce(secrets, 'none'), ' ') || '/' ||
			(SELECT count(*) FROM warnings WHERE code = 'sso_secret_redacted') || '/' || (SELECT count(DISTINCT id) FROM ingest_runs)
			FROM sso_connections`); err != nil {
			t.Fatal(err)
		}
		want := `clerk:entconn_saml1:none clerk:entconn_oidc1:none/1/2`
		if include {
			want = `clerk:entconn_saml1:none clerk:entconn_oidc1:{"clientSecret":"` + secret + `"}/0/2`
		}
		if got != want {
			t.Errorf("include secrets %v: connections/redaction warnings/runs = %s, want %s", include, got, want)
		}
		var opts string
		db.Get(&opts, `SELECT group_concat(options) FROM ingest_runs`)
		if strings.Contains(opts, clerkfake.SecretKey) || !strings.Contains(opts, srv.URL) {
			t.Errorf("run options %s: want the instance's URL and never the key", opts)
		}
	}
}

// TestIngestEnterpriseRefusedKey: a key the Backend API refuses fails the
// whole ingest before the export is read, and nothing is staged.
func TestIngestEnterpriseRefusedKey(t *testing.T) {
	ctx := context.Background()
	srv := clerkfake.Start(t, samlCustom())
	db := ingesttest.OpenDB(t)
	_, err := clerk.Ingest(ctx, db, clerk.Options{UsersFile: "../../testdata/fixtures/clerk/anchor-export.csv",
		Enterprise: &clerk.EnterpriseOptions{BaseURL: srv.URL, SecretKey: "sk_test_wrong"}})
	if !errors.Is(err, clerk.ErrSecretKeyRefused) {
		t.Fatalf("err = %v, want ErrSecretKeyRefused", err)
	}
	var n int
	db.Get(&n, `SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM ingest_runs)`)
	if n != 0 {
		t.Errorf("%d rows staged after a refused key", n)
	}
}
