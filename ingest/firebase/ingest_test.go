package firebase_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/ingesttest"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/firebase"
	"github.com/mig-tools/mig/ingest/firebase/firebasefake"
	"github.com/mig-tools/mig/staging"
)

func query(t *testing.T, db *staging.DB, q string) string {
	t.Helper()
	var s string
	if err := db.Get(&s, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// TestIngest stages the sample export with an org-mapping file naming
// users by firebase_uid and by email, in one run; the same export again is
// a no-op, and a bad export leaves the database as it was.
func TestIngest(t *testing.T) {
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	orgs := write(t, "orgs.csv", "firebase_uid,email,org_external_id,org_name\nabc123def456ghi789jk0001,,acme,Acme\n,JOHN.SMITH@TEST.COM,acme,Acme\n")
	o := firebase.Options{File: fixture("clerk-migration-tool_samples_firebase.json"), Hash: &readmeHash, OrgMapping: orgs}
	c, err := firebase.Ingest(ctx, db, o)
	if err != nil {
		t.Fatal(err)
	}
	if c.Rows != 50 || c.New != 42 || c.Skipped != 8 || c.Orgs != 1 || c.Members != 2 {
		t.Errorf("counts %+v, want 50 rows: 42 staged, 8 skipped, 2 members of Acme", c)
	}
	if got := query(t, db, `SELECT count(*) || '/' || count(*) FILTER (WHERE password_hash_type = 'firebase-scrypt') FROM users`); got != "42/36" {
		t.Errorf("users/with a firebase-scrypt hash = %s", got)
	}
	if got := query(t, db, `SELECT options FROM ingest_runs`); strings.Contains(got, readmeHash.SignerKey) || !strings.Contains(got, `"hash_parameters":"`) {
		t.Errorf("run options %s: want a digest of the hash parameters, never the signer key", got)
	}
	if _, err := firebase.Ingest(ctx, db, o); !errors.Is(err, ingest.ErrUnchanged) {
		t.Errorf("the same export again: %v, want ErrUnchanged", err)
	}
	before := query(t, db, `SELECT group_concat(id || ingest_run_id || coalesce(password_hash, '')) FROM users`)
	bad := o
	bad.File = write(t, "bad.json", `{"users": [{"localId": "x", "email": "x@example.com"}, {"localId": 7}]}`)
	_, err = firebase.Ingest(ctx, db, bad)
	var ee *ingest.ElementError
	if !errors.As(err, &ee) || ee.Index != 1 || ee.Field != "localId" {
		t.Errorf("bad export: %v, want an ElementError on users[1].localId", err)
	}
	if after := query(t, db, `SELECT group_concat(id || ingest_run_id || coalesce(password_hash, '')) FROM users`); after != before {
		t.Error("the failed ingest changed the users")
	}
}

// TestIngestSSO stages the project's providers with the users, in the same
// run, without the client secret unless asked; a run with the same export
// is not refused as unchanged, since the providers may have changed.
func TestIngestSSO(t *testing.T) {
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	ctx := context.Background()
	db := ingesttest.OpenDB(t)
	f, key := firebasefake.Start(t, "demo-proj")
	f.Projects["demo-proj"] = firebasefake.Configs{
		SAML: []map[string]any{firebasefake.SAMLConfig("projects/demo-proj", "saml.acme", true)},
		OIDC: []map[string]any{{"name": "projects/demo-proj/oauthIdpConfigs/oidc.okta", "displayName": "Okta", "enabled": true, "clientId": "cid",
			"clientSecret": "very-secret", "issuer": "https://acme.okta.com"}},
	}
	o := firebase.Options{File: fixture("clerk-migration-tool_samples_firebase.json"), SSO: &firebase.SSOOptions{CredentialsFile: key, Endpoint: f.URL}}
	for range 2 {
		c, err := firebase.Ingest(ctx, db, o)
		if err != nil {
			t.Fatal(err)
		}
		if c.New+c.Unchanged != 42 {
			t.Errorf("counts %+v", c)
		}
	}
	got := query(t, db, `SELECT group_concat(source_connection_id || ':' || coalesce(config ->> '$.sourceAcsUrl', '-') || ':' || coalesce(secrets, 'none'), ' ') FROM sso_connections`)
	if got != "firebase:saml.acme:https://demo-proj.firebaseapp.com/__/auth/handler:none firebase:oidc.okta:-:none" {
		t.Errorf("connections %s", got)
	}
	if n := query(t, db, `SELECT count(*) FROM warnings WHERE code = 'sso_secret_redacted'`); n != "1" {
		t.Errorf("%s redaction warnings, want 1", n)
	}
	// A service account the token server refuses fails the whole run.
	other, _ := firebasefake.Start(t, "demo-proj")
	f.TrustKeyOf(other)
	if _, err := firebase.Ingest(ctx, db, o); err == nil || !strings.Contains(err.Error(), "Invalid JWT Signature") {
		t.Errorf("refused key: %v", err)
	}
}
