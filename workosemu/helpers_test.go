package workosemu_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mig-tools/mig/workosemu"
	"github.com/workos/workos-go/v4/pkg/organizations"
	"github.com/workos/workos-go/v4/pkg/usermanagement"
)

const testKey = "sk_test_emulator"

// emu is an emulator under test, served on 127.0.0.1 by httptest, with every
// exchange checked against the OpenAPI spec (see contract_test.go).
type emu struct {
	*workosemu.Server
	URL string
	t   testing.TB
}

func startEmu(t testing.TB, opts workosemu.Options) *emu {
	t.Helper()
	if opts.RateLimits == "" {
		opts.RateLimits = workosemu.RateLimitsOff
	}
	s, err := workosemu.New(opts)
	if err != nil {
		t.Fatalf("new emulator: %v", err)
	}
	ts := httptest.NewServer(contractCheck(t, s))
	t.Cleanup(func() {
		ts.Close()
		if err := s.Close(); err != nil {
			t.Errorf("close emulator: %v", err)
		}
	})
	return &emu{Server: s, URL: ts.URL, t: t}
}

func (e *emu) users() *usermanagement.Client {
	c := usermanagement.NewClient(testKey)
	c.Endpoint = e.URL
	return c
}

func (e *emu) orgs() *organizations.Client {
	return &organizations.Client{APIKey: testKey, Endpoint: e.URL}
}

// response is a raw answer from do.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	return m
}

// do sends a plain HTTP request, for the endpoints the SDK lacks. body may
// be nil, a string of raw JSON, or a value to encode.
func (e *emu) do(method, path string, body any, hdr ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, e.URL+path, rd)
	if err != nil {
		e.t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+testKey)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("read %s %s: %v", method, path, err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}
