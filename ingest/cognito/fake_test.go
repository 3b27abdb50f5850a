package cognito_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeCognito answers the Cognito calls mig makes (awsJson1.1 over HTTP,
// the operation named by X-Amz-Target) from memory. Calls it does not know
// go to next when set, so that it can stand in front of an emulator that
// lacks the identity-provider calls.
type fakeCognito struct {
	mu    sync.Mutex
	pools map[string]*fakePool
	next  http.Handler
	calls []fakeCall
}

type fakePool struct {
	name      string
	users     []map[string]any
	pages     []int // sizes of the ListUsers pages, cycled; may be 0 or below Limit
	providers []map[string]any
}

type fakeCall struct {
	op, pool, token string
	limit           int
}

func (f *fakeCognito) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=test/") {
		fail(w, "NotAuthorizedException", "request not signed with the test credentials")
		return
	}
	body, _ := io.ReadAll(r.Body)
	var in struct {
		UserPoolId, PaginationToken, NextToken, ProviderName string
		Limit, MaxResults                                    int
	}
	json.Unmarshal(body, &in)
	known := map[string]bool{"DescribeUserPool": true, "ListUsers": true, "ListIdentityProviders": true, "DescribeIdentityProvider": true}
	if f.next != nil && (op == "DescribeUserPool" || op == "ListUsers") {
		known = map[string]bool{"ListIdentityProviders": true, "DescribeIdentityProvider": true}
	}
	if !known[op] {
		if f.next == nil {
			fail(w, "UnsupportedOperation", op)
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		f.next.ServeHTTP(w, r)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fakeCall{op: op, pool: in.UserPoolId, token: in.PaginationToken + in.NextToken, limit: in.Limit + in.MaxResults})
	p := f.pools[in.UserPoolId]
	if p == nil {
		fail(w, "ResourceNotFoundException", "User pool "+in.UserPoolId+" does not exist.")
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	enc := json.NewEncoder(w)
	switch op {
	case "DescribeUserPool":
		enc.Encode(map[string]any{"UserPool": map[string]any{"Id": in.UserPoolId, "Name": p.name}})
	case "ListUsers":
		// Tokens are "u<offset>.<page>": the page number picks the next size.
		off, page := 0, 0
		if in.PaginationToken != "" {
			if _, err := fmt.Sscanf(in.PaginationToken, "u%d.%d", &off, &page); err != nil {
				fail(w, "InvalidParameterException", "bad token")
				return
			}
		}
		n := min(p.pages[page%len(p.pages)], in.Limit, len(p.users)-off)
		out := map[string]any{"Users": p.users[off : off+n]}
		if off+n < len(p.users) {
			out["PaginationToken"] = fmt.Sprintf("u%d.%d", off+n, page+1)
		}
		enc.Encode(out)
	case "ListIdentityProviders":
		off, _ := strconv.Atoi(strings.TrimPrefix(in.NextToken, "p"))
		n := min(2, len(p.providers)-off) // two per page, to make it page
		var out []map[string]any
		for _, pr := range p.providers[off : off+n] {
			out = append(out, map[string]any{"ProviderName": pr["providerName"], "ProviderType": pr["providerType"]})
		}
		res := map[string]any{"Providers": out}
		if off+n < len(p.providers) {
			res["NextToken"] = fmt.Sprintf("p%d", off+n)
		}
		enc.Encode(res)
	case "DescribeIdentityProvider":
		for _, pr := range p.providers {
			if pr["providerName"] == in.ProviderName {
				enc.Encode(map[string]any{"IdentityProvider": map[string]any{"UserPoolId": in.UserPoolId, "ProviderName": pr["providerName"],
					"ProviderType": pr["providerType"], "ProviderDetails": pr["providerDetails"], "AttributeMapping": pr["attributeMapping"], "IdpIdentifiers": pr["idpIdentifiers"]}})
				return
			}
		}
		fail(w, "ResourceNotFoundException", "no provider "+in.ProviderName)
	}
}

func fail(w http.ResponseWriter, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

func (f *fakeCognito) callsOf(op string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if c.op == op {
			out = append(out, c)
		}
	}
	return out
}

// listUser is a user as ListUsers returns it.
func listUser(username, status string, enabled bool, attrs map[string]string) map[string]any {
	var list []map[string]string
	for k, v := range attrs {
		list = append(list, map[string]string{"Name": k, "Value": v})
	}
	return map[string]any{"Username": username, "UserStatus": status, "Enabled": enabled, "Attributes": list,
		"UserCreateDate": 1.7e9, "UserLastModifiedDate": 1.7e9 + 60}
}

// awsTestEnv gives the SDK's standard chain test credentials and nothing
// else: no shared config of the machine, no instance metadata.
func awsTestEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_REGION", "")
}

func startFake(t *testing.T, f *fakeCognito) string {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL
}
