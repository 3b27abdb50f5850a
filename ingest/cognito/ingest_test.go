package cognito_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/ingesttest"

	"github.com/mig-tools/mig/ingest/cognito"
	"github.com/mig-tools/mig/ingest/cognito/cognitofake"
	"github.com/mig-tools/mig/staging"
)

func count(t *testing.T, db *staging.DB, q string) int {
	t.Helper()
	var n int
	if err := db.Get(&n, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestIngestResumes: a fetch that dies after its second page leaves the
// staged tables as they were and the fetched pages in the spool; the same
// ingest again asks Cognito for the page after the last one saved, stages
// every user once in one transaction and deletes the spool.
func TestIngestResumes(t *testing.T) {
	awsTestEnv(t)
	fake := twoPools(t)
	url := fake.Start(t)
	db := ingesttest.OpenDB(t)
	ctx := context.Background()
	o := cognito.Options{UserPoolIDs: []string{"us-east-1_AAA", "us-east-1_BBB"}, EndpointURL: url,
		Entities: []string{"users", "organizations", "memberships", "sso"}, SAMLEntityIDTemplate: cognito.DefaultSAMLEntityIDTemplate}
	lists := 0
	fake.Refuse = func(c cognitofake.Call) bool {
		if c.Op == "ListUsers" {
			lists++
		}
		return lists == 3
	}
	_, err := cognito.Ingest(ctx, db, o)
	if err == nil || !strings.Contains(err.Error(), "ListUsers after user 67") || !strings.Contains(err.Error(), "run the same command again") {
		t.Fatalf("interrupted ingest: %v", err)
	}
	if n := count(t, db, `SELECT count(*) FROM users`) + count(t, db, `SELECT count(*) FROM organizations`); n != 0 {
		t.Fatalf("the interrupted ingest staged %d rows", n)
	}
	if n := count(t, db, `SELECT count(*) FROM ingest_spool_records`); n == 0 {
		t.Fatal("the interrupted ingest saved no page")
	}

	fake.Refuse = nil
	fake.ResetCalls()
	c, err := cognito.Ingest(ctx, db, o)
	if err != nil {
		t.Fatal(err)
	}
	if calls := fake.Calls("ListUsers"); len(calls) == 0 || calls[0].Pool != "us-east-1_AAA" || calls[0].Token != "u67.2" {
		t.Errorf("resumed ListUsers calls %+v: the first should carry the token saved after user 67", calls)
	}
	if c.Rows != 134 || c.New != 132 || c.Skipped != 2 || c.Orgs != 2 || c.Members != 132 {
		t.Errorf("counts %+v, want 134 rows: 132 staged (each a member of its pool's org), 2 skipped", c)
	}
	for q, want := range map[string]int{
		`SELECT count(DISTINCT source_id) FROM users WHERE source = 'cognito'`:    132,
		`SELECT count(*) FROM warnings WHERE code = 'cognito_no_password_hashes'`: 1,
		`SELECT count(*) FROM sso_connections`:                                    2,
		`SELECT count(*) FROM sso_connections WHERE secrets IS NOT NULL`:          0,
		`SELECT count(*) FROM warnings WHERE code = 'sso_secret_redacted'`:        1,
		`SELECT count(*) FROM ingest_spool_records`:                               0,
		`SELECT count(*) FROM ingest_spools`:                                      0,
	} {
		if got := count(t, db, q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}

	// A user removed from the pool is missing after the next ingest, and
	// the fetch starts from the beginning: the spool of the last one is gone.
	fake.Pools["us-east-1_BBB"].Users = fake.Pools["us-east-1_BBB"].Users[1:]
	c, err = cognito.Ingest(ctx, db, o)
	if err != nil {
		t.Fatal(err)
	}
	if c.Missing != 1 || c.Unchanged != 131 || c.New != 0 {
		t.Errorf("re-ingest counts %+v, want 131 unchanged and 1 missing", c)
	}
}
