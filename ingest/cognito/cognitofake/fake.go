// Package cognitofake is an in-process fake of the part of the Cognito user
// pools API that mig reads: DescribeUserPool, ListUsers (paginated by
// PaginationToken, pages as short as a test asks), ListIdentityProviders
// (two to a page, so that it pages) and DescribeIdentityProvider, spoken in
// awsJson1.1 over HTTP with the operation in X-Amz-Target, as the AWS SDK
// sends them. It listens on 127.0.0.1 only and stops with the test, or when
// the function Listen returns is called.
//
// It accepts only requests signed (SigV4) with the access key id "test":
// give the SDK's standard chain AWS_ACCESS_KEY_ID=test and any secret.
// Calls it does not answer go to Next when it is set, so that it can stand
// in front of an emulator (cognito-local) that lacks the identity-provider
// calls.
package cognitofake

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Pool is one user pool of the fake.
type Pool struct {
	Name string
	// Domain is the prefix of the pool's hosted UI domain and CustomDomain
	// its own domain, as DescribeUserPool answers them (empty: none).
	Domain, CustomDomain string
	// Users are the pool's users as ListUsers answers them (see ListUser).
	Users []map[string]any
	// Pages are the sizes of the ListUsers pages, cycled; a size may be 0
	// or below the Limit asked for, as real Cognito's pages are. Empty
	// means pages as large as the Limit.
	Pages []int
	// Providers are the pool's identity providers with the JSON names of
	// DescribeIdentityProvider's IdentityProviderType in camel case, as the
	// public samples write them: providerName, providerType,
	// providerDetails, attributeMapping, idpIdentifiers.
	Providers []map[string]any
}

// Call is one call the fake answered.
type Call struct {
	Op, Pool, Token string
	Limit           int
}

// Fake is the fake's state, an http.Handler. Set Pools (by pool id) and
// Next before it serves.
type Fake struct {
	Pools map[string]*Pool
	Next  http.Handler
	// Refuse, when set, is asked about every call the fake answers; when it
	// says true, the call fails with an InvalidParameterException, which
	// the SDK does not retry: a fetch that dies mid-way.
	Refuse func(Call) bool

	mu    sync.Mutex
	calls []Call
}

// ServeHTTP answers one call.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	if f.Next != nil && (op == "DescribeUserPool" || op == "ListUsers") {
		known = map[string]bool{"ListIdentityProviders": true, "DescribeIdentityProvider": true}
	}
	if !known[op] {
		if f.Next == nil {
			fail(w, "UnsupportedOperation", op)
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		f.Next.ServeHTTP(w, r)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	call := Call{Op: op, Pool: in.UserPoolId, Token: in.PaginationToken + in.NextToken, Limit: in.Limit + in.MaxResults}
	f.calls = append(f.calls, call)
	if f.Refuse != nil && f.Refuse(call) {
		fail(w, "InvalidParameterException", "refused by the test")
		return
	}
	p := f.Pools[in.UserPoolId]
	if p == nil {
		fail(w, "ResourceNotFoundException", "User pool "+in.UserPoolId+" does not exist.")
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	enc := json.NewEncoder(w)
	switch op {
	case "DescribeUserPool":
		up := map[string]any{"Id": in.UserPoolId, "Name": p.Name}
		if p.Domain != "" {
			up["Domain"] = p.Domain
		}
		if p.CustomDomain != "" {
			up["CustomDomain"] = p.CustomDomain
		}
		enc.Encode(map[string]any{"UserPool": up})
	case "ListUsers":
		// Tokens are "u<offset>.<page>": the page number picks the next size.
		off, page := 0, 0
		if in.PaginationToken != "" {
			if _, err := fmt.Sscanf(in.PaginationToken, "u%d.%d", &off, &page); err != nil || off > len(p.Users) {
				fail(w, "InvalidParameterException", "bad token")
				return
			}
		}
		limit := in.Limit
		if limit == 0 {
			limit = 60
		}
		size := limit
		if len(p.Pages) > 0 {
			size = p.Pages[page%len(p.Pages)]
		}
		n := min(size, limit, len(p.Users)-off)
		out := map[string]any{"Users": p.Users[off : off+n]}
		if off+n < len(p.Users) {
			out["PaginationToken"] = fmt.Sprintf("u%d.%d", off+n, page+1)
		}
		enc.Encode(out)
	case "ListIdentityProviders":
		off, _ := strconv.Atoi(strings.TrimPrefix(in.NextToken, "p"))
		off = min(off, len(p.Providers))
		n := min(2, len(p.Providers)-off) // two per page, to make it page
		out := []map[string]any{}
		for _, pr := range p.Providers[off : off+n] {
			out = append(out, map[string]any{"ProviderName": pr["providerName"], "ProviderType": pr["providerType"]})
		}
		res := map[string]any{"Providers": out}
		if off+n < len(p.Providers) {
			res["NextToken"] = fmt.Sprintf("p%d", off+n)
		}
		enc.Encode(res)
	case "DescribeIdentityProvider":
		for _, pr := range p.Providers {
			if pr["providerName"] == in.ProviderName {
				enc.Encode(map[string]any{"IdentityProvider": map[string]any{"UserPoolId": in.UserPoolId, "ProviderName": pr["providerName"],
					"ProviderType": pr["providerType"], "ProviderDetails": pr["providerDetails"], "AttributeMapping": pr["attributeMapping"], "IdpIdentifiers": pr["idpIdentifiers"]}})
				return
			}
		}
		fail(w, "ResourceNotFoundException", "no provider "+in.ProviderName)
	}
}

// fail answers an error as Cognito does: status 400 and the error type.
func fail(w http.ResponseWriter, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

// Calls lists the calls of operation op answered so far (every call when
// op is empty).
func (f *Fake) Calls(op string) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if op == "" || c.Op == op {
			out = append(out, c)
		}
	}
	return out
}

// ResetCalls forgets the calls answered so far.
func (f *Fake) ResetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

// Listen serves the fake on a free port of 127.0.0.1 and returns its URL
// (what the SDK's BaseEndpoint, mig's --endpoint-url, takes) and the
// function that stops it.
func (f *Fake) Listen() (url string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := httptest.NewUnstartedServer(f)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	return srv.URL, srv.Close, nil
}

// Start is Listen for a test: the fake stops when the test ends.
func (f *Fake) Start(tb testing.TB) string {
	tb.Helper()
	url, stop, err := f.Listen()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(stop)
	return url
}

// ListUser is a user as ListUsers returns it, its attributes in name order.
func ListUser(username, status string, enabled bool, attrs map[string]string) map[string]any {
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	list := []map[string]string{}
	for _, k := range names {
		list = append(list, map[string]string{"Name": k, "Value": attrs[k]})
	}
	return map[string]any{"Username": username, "UserStatus": status, "Enabled": enabled, "Attributes": list,
		"UserCreateDate": 1.7e9, "UserLastModifiedDate": 1.7e9 + 60}
}

// LoadSamples reads Cognito samples in the flattened shapes of the public
// samples (testdata/fixtures/cognito): a user {userPoolId, username,
// userStatus, enabled, attributes}, or an identity provider {userPoolId,
// providerName, providerType, ...}, and adds each to the pool its
// userPoolId names, in the order of paths (a pool is created, named after
// its id, when f has none).
func (f *Fake) LoadSamples(paths ...string) error {
	if f.Pools == nil {
		f.Pools = map[string]*Pool{}
	}
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var s struct {
			PoolID       string            `json:"userPoolId"`
			Username     string            `json:"username"`
			Status       string            `json:"userStatus"`
			Enabled      *bool             `json:"enabled"`
			Attributes   map[string]string `json:"attributes"`
			ProviderName string            `json:"providerName"`
		}
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if s.PoolID == "" {
			return fmt.Errorf("%s: no userPoolId", path)
		}
		p := f.Pools[s.PoolID]
		if p == nil {
			p = &Pool{Name: s.PoolID}
			f.Pools[s.PoolID] = p
		}
		switch {
		case s.ProviderName != "":
			var pr map[string]any
			json.Unmarshal(b, &pr)
			p.Providers = append(p.Providers, pr)
		case s.Username != "":
			p.Users = append(p.Users, ListUser(s.Username, s.Status, s.Enabled == nil || *s.Enabled, s.Attributes))
		default:
			return fmt.Errorf("%s: neither a user (username) nor an identity provider (providerName)", path)
		}
	}
	return nil
}
