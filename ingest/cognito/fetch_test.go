package cognito_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/mig-tools/mig/ingest/cognito"
	"github.com/mig-tools/mig/ingest/cognito/cognitofake"
	"github.com/mig-tools/mig/ingest/ingesttest"
)

// twoPools is a fake with pool AAA (130 users in pages of 60, 7, 0, 13, ...
// entries, so pages are shorter than the limit and one is empty) and pool
// BBB (three users, the sample identity providers, and a hosted UI
// domain).
func twoPools(t *testing.T) *cognitofake.Fake {
	a := &cognitofake.Pool{Name: "Acme", Pages: []int{60, 7, 0, 13}}
	for i := range 130 {
		attrs := map[string]string{"sub": fmt.Sprintf("sub-a-%03d", i), "email": fmt.Sprintf("a%03d@example.com", i), "email_verified": "true", "given_name": "A", "family_name": fmt.Sprint(i)}
		user, status, enabled := fmt.Sprintf("a%03d", i), "CONFIRMED", true
		switch i {
		case 5:
			delete(attrs, "email")
			attrs["phone_number"] = "+15550000005"
		case 6:
			enabled = false
		case 70:
			user, status = "okta-saml_a070@example.com", "EXTERNAL_PROVIDER"
		}
		a.Users = append(a.Users, cognitofake.ListUser(user, status, enabled, attrs))
	}
	b := &cognitofake.Pool{Name: "Beta", Domain: "beta-login", Pages: []int{60}}
	for i := range 3 {
		b.Users = append(b.Users, cognitofake.ListUser(fmt.Sprintf("b%d", i), "CONFIRMED", true, map[string]string{"sub": fmt.Sprintf("sub-b-%d", i), "email": fmt.Sprintf("b%d@example.com", i)}))
	}
	b.Users = append(b.Users, cognitofake.ListUser("okta-saml_z@example.com", "EXTERNAL_PROVIDER", true, map[string]string{"sub": "sub-b-z", "email": "z@example.com"}))
	for _, name := range []string{"saml-metadata-file", "oidc-azure"} {
		var p map[string]any
		fixture(t, "connections_"+name, &p)
		b.Providers = append(b.Providers, p)
	}
	b.Providers = append(b.Providers, map[string]any{"providerName": "Google", "providerType": "Google", "providerDetails": map[string]string{"client_id": "g", "client_secret": "gs"}})
	return &cognitofake.Fake{Pools: map[string]*cognitofake.Pool{"us-east-1_AAA": a, "us-east-1_BBB": b}}
}

// TestFetchFollowsTokens fetches both pools: every user arrives once,
// ListUsers is asked again for as long as it gives a token (short and empty
// pages included), and a checkpoint follows every page.
func TestFetchFollowsTokens(t *testing.T) {
	awsTestEnv(t)
	fake := twoPools(t)
	url := fake.Start(t)
	o := cognito.Options{UserPoolIDs: []string{"us-east-1_AAA", "us-east-1_BBB"}, EndpointURL: url,
		Entities: []string{"users", "organizations", "memberships", "sso"}, SAMLEntityIDTemplate: cognito.DefaultSAMLEntityIDTemplate}
	var rec ingesttest.Recorder
	var cps []cognito.Checkpoint
	err := cognito.Fetch(context.Background(), o, &rec, nil, func(_ context.Context, cp cognito.Checkpoint) error {
		cps = append(cps, cp)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rec.Users) + len(rec.Skips); n != 134 {
		t.Errorf("%d users staged and %d skipped, want 134 in all", len(rec.Users), len(rec.Skips))
	}
	ids := map[string]bool{}
	for _, u := range rec.Users {
		if ids[u.SourceID] {
			t.Errorf("user %s staged twice", u.SourceID)
		}
		ids[u.SourceID] = true
	}
	var tokens []string
	for _, c := range fake.Calls("ListUsers") {
		if c.Pool == "us-east-1_AAA" {
			tokens = append(tokens, c.Token)
		}
		if c.Limit != 60 {
			t.Errorf("ListUsers limit %d, want 60", c.Limit)
		}
	}
	if want := []string{"", "u60.1", "u67.2", "u67.3", "u80.4"}; !reflect.DeepEqual(tokens, want) {
		t.Errorf("ListUsers tokens %q, want %q", tokens, want)
	}
	wantCPs := []cognito.Checkpoint{
		{PoolID: "us-east-1_AAA", NextToken: "u60.1", Users: 60}, {PoolID: "us-east-1_AAA", NextToken: "u67.2", Users: 67},
		{PoolID: "us-east-1_AAA", NextToken: "u67.3", Users: 67}, {PoolID: "us-east-1_AAA", NextToken: "u80.4", Users: 80},
		{PoolID: "us-east-1_AAA", Users: 130, PoolDone: true}, {PoolID: "us-east-1_BBB", Users: 4, PoolDone: true},
	}
	if !reflect.DeepEqual(cps, wantCPs) {
		t.Errorf("checkpoints\n%+v\nwant\n%+v", cps, wantCPs)
	}
	reasons := map[string]string{}
	for _, s := range rec.Skips {
		reasons[s.SourceID] = s.Reason
		if s.File != "cognito:us-east-1_AAA/users" {
			t.Errorf("skip in file %q", s.File)
		}
	}
	if len(reasons) != 2 || !strings.Contains(reasons["sub-a-005"], "phone-only") || !strings.Contains(reasons["sub-a-006"], "disabled") {
		t.Errorf("skips %v, want the phone-only and the disabled user", reasons)
	}
	if c := rec.Codes(); c["cognito_no_password_hashes"] != 1 || c["cognito_social_provider"] != 1 {
		t.Errorf("warnings %v: want one no-password-hashes and one social provider warning", c)
	}
	if len(rec.Orgs) != 2 || rec.Orgs[0].ExternalID != "us-east-1_AAA" || rec.Orgs[0].Name != "Acme" || rec.Orgs[1].Name != "Beta" {
		t.Errorf("organizations %+v, want one per pool named after it", rec.Orgs)
	}
	if len(rec.OrgRows) != len(rec.Users) {
		t.Errorf("%d memberships for %d users", len(rec.OrgRows), len(rec.Users))
	}
	var conns []string
	for _, c := range rec.Connections {
		conns = append(conns, c.SourceID+" "+c.Protocol+" "+c.Config["customEntityId"])
	}
	if want := []string{"us-east-1_BBB:okta-saml saml urn:amazon:cognito:sp:us-east-1_BBB", "us-east-1_BBB:azure-oidc oidc "}; !reflect.DeepEqual(conns, want) {
		t.Errorf("connections %q, want %q", conns, want)
	}
	if got := rec.Connections[0].Config["sourceAcsUrl"]; got != "https://beta-login.auth.us-east-1.amazoncognito.com/saml2/idpresponse" {
		t.Errorf("sourceAcsUrl %q: want the ACS URL of pool BBB's hosted UI domain", got)
	}
	// The federated user of pool BBB is linked to its connection; pool AAA
	// has no identity providers, so its federated user is linked to none.
	for _, u := range rec.Users {
		switch u.SourceID {
		case "sub-b-z":
			if u.Metadata["cognito_identity_provider"] != "okta-saml" || u.Metadata["cognito_identity_provider_type"] != "SAML" {
				t.Errorf("federated user metadata %v", u.Metadata)
			}
		case "sub-a-070":
			if u.Metadata["cognito_identity_provider"] != "okta-saml" || u.Metadata["cognito_identity_provider_type"] != "" {
				t.Errorf("federated user of a pool without that provider: metadata %v", u.Metadata)
			}
		}
	}
}

var errStop = errors.New("stopped by the test")

// TestFetchResume stops a fetch after its second page and resumes it from
// the last checkpoint: together the two runs hand over every user once.
func TestFetchResume(t *testing.T) {
	awsTestEnv(t)
	fake := twoPools(t)
	url := fake.Start(t)
	o := cognito.Options{UserPoolIDs: []string{"us-east-1_AAA", "us-east-1_BBB"}, EndpointURL: url}
	var first ingesttest.Recorder
	var last *cognito.Checkpoint
	err := cognito.Fetch(context.Background(), o, &first, nil, func(_ context.Context, cp cognito.Checkpoint) error {
		last = &cp
		if cp.Users == 67 {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Fatalf("first run: %v, want the test's stop", err)
	}
	// The checkpoint is what the kit stores: it must survive JSON.
	b, _ := json.Marshal(last)
	var resume cognito.Checkpoint
	json.Unmarshal(b, &resume)

	fake.ResetCalls()
	var second ingesttest.Recorder
	if err := cognito.Fetch(context.Background(), o, &second, &resume, nil); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range []*ingesttest.Recorder{&first, &second} {
		for _, u := range r.Users {
			seen[u.SourceID]++
		}
		for _, s := range r.Skips {
			seen[s.SourceID]++
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("user %s handed over %d times", id, n)
		}
	}
	if len(seen) != 134 {
		t.Errorf("%d users in both runs, want 134", len(seen))
	}
	if calls := fake.Calls("ListUsers"); len(calls) == 0 || calls[0].Token != "u67.2" {
		t.Errorf("resumed ListUsers calls %+v: the first should carry the checkpoint's token", calls)
	}
	if second.Users[0].Row != 68 {
		t.Errorf("first resumed user is row %d, want 68 (rows go on from the checkpoint)", second.Users[0].Row)
	}
	if len(second.Orgs) != 2 {
		t.Errorf("resumed run handed over %d organizations, want both pools' again", len(second.Orgs))
	}

	// A checkpoint at the end of a pool resumes at the next pool.
	var third ingesttest.Recorder
	if err := cognito.Fetch(context.Background(), o, &third, &cognito.Checkpoint{PoolID: "us-east-1_AAA", Users: 130, PoolDone: true}, nil); err != nil {
		t.Fatal(err)
	}
	if len(third.Users) != 4 || len(third.Orgs) != 1 {
		t.Errorf("after a done pool: %d users, %d orgs; want pool BBB's 4 and 1", len(third.Users), len(third.Orgs))
	}
	err = cognito.Fetch(context.Background(), o, &third, &cognito.Checkpoint{PoolID: "us-east-1_ZZZ"}, nil)
	if err == nil || !strings.Contains(err.Error(), "us-east-1_ZZZ") {
		t.Errorf("checkpoint of another pool: %v", err)
	}
}

// TestFetchErrors checks that bad options fail before any call and that an
// API error names the pool and the call.
func TestFetchErrors(t *testing.T) {
	awsTestEnv(t)
	url := twoPools(t).Start(t)
	for _, tc := range []struct {
		o    cognito.Options
		want string
	}{
		{cognito.Options{}, "no user pool id"},
		{cognito.Options{UserPoolIDs: []string{"us-east-1_A", "eu-west-1_B"}}, "region eu-west-1"},
		{cognito.Options{UserPoolIDs: []string{"us-east-1_A"}, Region: "eu-west-1"}, "region us-east-1"},
		{cognito.Options{UserPoolIDs: []string{"nopool"}}, "not <region>_<id>"},
		{cognito.Options{UserPoolIDs: []string{"us-east-1_A"}, Entities: []string{"groups"}}, `entity "groups"`},
		{cognito.Options{UserPoolIDs: []string{"us-east-1_A"}, Entities: []string{"memberships"}}, "memberships need users"},
		{cognito.Options{UserPoolIDs: []string{"us-east-1_A"}, OrgStrategy: "tenant"}, `org strategy "tenant"`},
		{cognito.Options{UserPoolIDs: []string{"us-east-1_A"}, EndpointURL: "localhost:9229"}, "not an http or https URL"},
		{cognito.Options{UserPoolIDs: []string{"us-east-1_NOPE"}, EndpointURL: url}, "cognito us-east-1_NOPE: DescribeUserPool"},
	} {
		err := cognito.Fetch(context.Background(), tc.o, &ingesttest.Recorder{}, nil, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one containing %q", tc.o, err, tc.want)
		}
	}
}

// TestFetchConnectionStrategy: one organization per SAML/OIDC provider, the
// federated user a member of its provider's, the others of none (one
// warning says how many).
func TestFetchConnectionStrategy(t *testing.T) {
	awsTestEnv(t)
	url := twoPools(t).Start(t)
	var rec ingesttest.Recorder
	o := cognito.Options{UserPoolIDs: []string{"us-east-1_BBB"}, EndpointURL: url, OrgStrategy: cognito.StrategyConnection}
	if err := cognito.Fetch(context.Background(), o, &rec, nil, nil); err != nil {
		t.Fatal(err)
	}
	var orgs []string
	for _, org := range rec.Orgs {
		orgs = append(orgs, org.ExternalID)
	}
	if want := []string{"us-east-1_BBB:okta-saml", "us-east-1_BBB:azure-oidc"}; !reflect.DeepEqual(orgs, want) {
		t.Errorf("organizations %v, want %v", orgs, want)
	}
	if len(rec.OrgRows) != 1 || rec.OrgRows[0].SourceUserID != "sub-b-z" || rec.OrgRows[0].OrgExternalID != "us-east-1_BBB:okta-saml" {
		t.Errorf("memberships %+v", rec.OrgRows)
	}
	if len(rec.Connections) != 0 {
		t.Errorf("%d connections handed over without sso asked for", len(rec.Connections))
	}
	found := false
	for _, w := range rec.Warnings {
		if w.Code == "cognito_users_without_connection" && strings.HasPrefix(w.Message, "3 users") {
			found = true
		}
	}
	if !found {
		t.Errorf("no warning counting the 3 users without a connection: %+v", rec.Warnings)
	}
}
