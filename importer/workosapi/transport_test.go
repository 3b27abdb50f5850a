package workosapi_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/workos/workos-go/v4/pkg/usermanagement"

	"github.com/mig-tools/mig/importer/workosapi"
)

// script answers requests in turn with the given statuses (the last one
// repeats) and remembers what it received.
type script struct {
	mu       sync.Mutex
	answers  []func(w http.ResponseWriter)
	bodies   []string
	idemKeys []string
	at       []time.Time
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.bodies)
	s.bodies = append(s.bodies, string(b))
	s.idemKeys = append(s.idemKeys, r.Header.Get("Idempotency-Key"))
	s.at = append(s.at, time.Now())
	s.mu.Unlock()
	s.answers[min(n, len(s.answers)-1)](w)
}

// tries is how many requests the script got.
func (s *script) tries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

func status(code int, header, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		if header != "" {
			k, v, _ := strings.Cut(header, ": ")
			w.Header().Set(k, v)
		}
		w.Header().Set("X-Request-ID", "req-1")
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

func drop(w http.ResponseWriter) {
	conn, _, _ := http.NewResponseController(w).Hijack()
	conn.Close()
}

const created = `{"id":"user_1","email":"a@example.com"}`

func client(t *testing.T, s *script, tr *workosapi.Transport) *usermanagement.Client {
	t.Helper()
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	if tr.BaseBackoff == 0 {
		tr.BaseBackoff = time.Millisecond
	}
	c := usermanagement.NewClient("sk_test")
	c.Endpoint = ts.URL
	c.HTTPClient = &http.Client{Transport: tr}
	return c
}

func TestTransportRetries(t *testing.T) {
	userCreationError := `{"code":"user_creation_error","message":"Could not create user.","errors":[{"code":"email_not_available","message":"This email is not available."}]}`
	tests := []struct {
		name      string
		answers   []func(http.ResponseWriter)
		maxTries  int
		wantTries int
		wantErr   string // "" for success
		retryable bool
		subcode   string
	}{
		{"503 then success", []func(http.ResponseWriter){status(503, "", `{"message":"boom"}`), status(503, "", ""), status(201, "", created)}, 0, 3, "", false, ""},
		{"429 with Retry-After 0 then success", []func(http.ResponseWriter){status(429, "Retry-After: 0", `{"code":"rate_limit_exceeded"}`), status(201, "", created)}, 0, 2, "", false, ""},
		{"503 past the bound", []func(http.ResponseWriter){status(503, "", "unavailable")}, 3, 3, "503", true, ""},
		{"4xx is not retried", []func(http.ResponseWriter){status(400, "", userCreationError)}, 0, 1, "400", false, "email_not_available"},
		{"422 is not retried", []func(http.ResponseWriter){status(422, "", `{"code":"invalid_request_parameters","message":"Validation failed.","errors":[{"field":"email","code":"invalid_email"}]}`)}, 0, 1, "422", false, "invalid_email"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &script{answers: tc.answers}
			tr := &workosapi.Transport{MaxAttempts: tc.maxTries}
			c := client(t, s, tr)
			ctx := workosapi.WithIdempotencyKey(context.Background(), "key-1")
			u, err := c.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "a@example.com"})
			if len(s.bodies) != tc.wantTries {
				t.Errorf("tries %d, want %d", len(s.bodies), tc.wantTries)
			}
			for i, b := range s.bodies {
				if !strings.Contains(b, `"email":"a@example.com"`) || s.idemKeys[i] != "key-1" {
					t.Errorf("try %d sent body %q, key %q", i, b, s.idemKeys[i])
				}
			}
			if tc.wantErr == "" {
				if err != nil || u.ID != "user_1" {
					t.Fatalf("got %+v, %v", u, err)
				}
				return
			}
			ae, ok := workosapi.AsAPIError(err)
			if !ok || !strings.Contains(ae.Error(), tc.wantErr) || ae.Retryable() != tc.retryable || ae.RequestID != "req-1" {
				t.Fatalf("err %v (%#v)", err, ae)
			}
			if tc.subcode != "" && !ae.Has(tc.subcode) {
				t.Fatalf("sub-codes %v lack %s", ae.Subcodes, tc.subcode)
			}
		})
	}
}

func TestTransportHonoursRetryAfter(t *testing.T) {
	s := &script{answers: []func(http.ResponseWriter){status(429, "Retry-After: 1", ""), status(201, "", created)}}
	c := client(t, s, &workosapi.Transport{Pacer: workosapi.NewPacer(-1)})
	if _, err := c.CreateUser(context.Background(), usermanagement.CreateUserOpts{Email: "a@example.com"}); err != nil {
		t.Fatal(err)
	}
	if gap := s.at[1].Sub(s.at[0]); gap < time.Second {
		t.Fatalf("retried after %s, before the 1 s Retry-After", gap)
	}
}

// deadAddr is a 127.0.0.1 address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// A refused connection never reached the server: every request, a POST
// too, is tried again; when nothing answers at all, the streak of tries
// without an answer declares an outage, once, instead of each request
// failing on its own.
func TestDeadEndpointIsAnOutage(t *testing.T) {
	var fired []*workosapi.OutageError
	tr := &workosapi.Transport{MaxAttempts: 2, OutageAfter: 3, BaseBackoff: time.Millisecond,
		OnOutage: func(oe *workosapi.OutageError) { fired = append(fired, oe) }}
	c := usermanagement.NewClient("sk_test")
	c.Endpoint = "http://" + deadAddr(t)
	c.HTTPClient = &http.Client{Transport: tr}
	_, err := c.CreateUser(context.Background(), usermanagement.CreateUserOpts{Email: "a@example.com"})
	var oe *workosapi.OutageError
	if !errors.As(err, &oe) || oe.Tries != 3 || !strings.Contains(oe.Error(), "connection refused") {
		t.Fatalf("err %v, want an outage after 3 tries", err)
	}
	if len(fired) != 1 {
		t.Fatalf("OnOutage called %d times", len(fired))
	}
}

// A request that gets no answer while others do gives up on its own after
// its bound: the endpoint is up, that request is the problem.
func TestNetworkErrorAfterBound(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad" {
			drop(w)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(ts.Close)
	tr := &workosapi.Transport{MaxAttempts: 3, OutageAfter: 1000, BaseBackoff: 5 * time.Millisecond}
	hc := &http.Client{Transport: tr}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if res, err := hc.Get(ts.URL + "/good"); err == nil {
				res.Body.Close()
			}
		}
	}()
	_, err := hc.Get(ts.URL + "/bad")
	close(stop)
	wg.Wait()
	var ne *workosapi.NetworkError
	if !errors.As(err, &ne) || ne.Attempts < 3 || workosapi.MaybeApplied(err) {
		t.Fatalf("err %v, want a NetworkError after at least 3 tries", err)
	}
}

// A POST whose connection broke after it was sent may have been applied:
// neither the Transport nor net/http underneath sends it again (WorkOS
// honours Idempotency-Key only on audit-log events); the caller looks the
// object up instead. The first request keeps the connection alive, so the
// second one dies on a reused connection, where net/http would replay a
// request carrying an Idempotency-Key if it could rewind its body.
func TestDroppedPostIsNotSentAgain(t *testing.T) {
	s := &script{answers: []func(http.ResponseWriter){status(201, "", created), drop, status(201, "", created)}}
	c := client(t, s, &workosapi.Transport{})
	ctx := workosapi.WithIdempotencyKey(context.Background(), "key-1")
	if _, err := c.CreateUser(ctx, usermanagement.CreateUserOpts{Email: "a@example.com"}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateUser(workosapi.WithIdempotencyKey(context.Background(), "key-2"), usermanagement.CreateUserOpts{Email: "b@example.com"})
	if !workosapi.MaybeApplied(err) {
		t.Fatalf("err %v, want a NetworkError that may have been applied", err)
	}
	if n := s.tries(); n != 2 {
		t.Fatalf("the server got %d requests, want 2: the dropped POST was sent again", n)
	}
}

// A GET is safe to send again after a dropped connection.
func TestDroppedGetIsRetried(t *testing.T) {
	s := &script{answers: []func(http.ResponseWriter){drop, status(200, "", `{"data":[],"list_metadata":{"after":null}}`)}}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	c := &workosapi.Client{Endpoint: ts.URL, APIKey: "sk_test",
		HTTPClient: &http.Client{Transport: &workosapi.Transport{BaseBackoff: time.Millisecond}}}
	if _, err := c.FindUserByEmail(context.Background(), "a@example.com"); err != nil {
		t.Fatal(err)
	}
	if n := s.tries(); n != 2 {
		t.Fatalf("tries %d, want 2", n)
	}
}

func TestClassOf(t *testing.T) {
	tests := []struct {
		method, path string
		want         workosapi.Class
	}{
		{"POST", "/user_management/users", workosapi.Write},
		{"PUT", "/user_management/organization_memberships/om_1", workosapi.Write},
		{"GET", "/user_management/users", workosapi.Read},
		{"POST", "/organizations", workosapi.Other},
		{"GET", "/authorization/roles", workosapi.Other},
	}
	for _, tc := range tests {
		if got := workosapi.ClassOf(tc.method, tc.path); got != tc.want {
			t.Errorf("%s %s: %v, want %v", tc.method, tc.path, got, tc.want)
		}
	}
}

// TestPacerBudget checks the arithmetic the defaults rest on: whatever the
// timing, a token bucket admits at most burst + rate*T in any span T.
func TestPacerBudget(t *testing.T) {
	w, r, all := workosapi.NewPacer(0).Rates()
	if max10 := workosapi.DefaultWriteBurst + w*10; max10 > workosapi.PublishedWritesPer10s || w*10 < 0.95*workosapi.PublishedWritesPer10s {
		t.Errorf("writes: up to %.0f per 10 s, sustained %.0f; want <= 500 and >= 475", max10, w*10)
	}
	if max10 := workosapi.DefaultReadBurst + r*10; max10 > workosapi.PublishedReadsPer10s {
		t.Errorf("reads: up to %.0f per 10 s", max10)
	}
	if max60 := workosapi.DefaultTotalBurst + all*60; max60 > workosapi.PublishedPerKeyPer60s {
		t.Errorf("all: up to %.0f per 60 s", max60)
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// An endpoint that stops taking connections may still answer the requests
// already in flight on connections it opened before. Those answers do not
// make a request that cannot connect give up on its own (and its row be
// marked failed): the endpoint is taken for down, and the run stops
// instead. Before, any answer after the request's start counted, and the
// importer's outage test failed one time in ten on a loaded machine.
func TestAnswersToEarlierTriesDoNotHideAnOutage(t *testing.T) {
	slowStarted, deadFailed := make(chan struct{}), make(chan struct{})
	var failedOnce sync.Once
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path == "/slow" {
			close(slowStarted)
			<-deadFailed
			return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("{}")), Header: http.Header{}, Request: r}, nil
		}
		failedOnce.Do(func() { close(deadFailed) })
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	})
	tr := &workosapi.Transport{Base: base, MaxAttempts: 3, OutageAfter: 6, BaseBackoff: time.Millisecond}
	hc := &http.Client{Transport: tr}
	slowDone := make(chan error, 1)
	go func() {
		res, err := hc.Get("http://workos.test/slow")
		if err == nil {
			res.Body.Close()
		}
		slowDone <- err
	}()
	<-slowStarted
	_, err := hc.Get("http://workos.test/dead")
	if serr := <-slowDone; serr != nil {
		t.Fatalf("the request in flight: %v", serr)
	}
	var oe *workosapi.OutageError
	if !errors.As(err, &oe) {
		t.Fatalf("err %v, want the endpoint taken for down", err)
	}
}
