package workosapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Transport is the http.RoundTripper under every WorkOS call, the SDK's and
// the typed client's. For each request it waits for the shared Pacer, sets
// the Idempotency-Key that the context carries on POSTs, and retries 429s
// (after the Retry-After the server asked for), 5xx answers, timeouts and
// dropped connections with jittered exponential back-off, up to a bound.
// Anything else is returned as it came, for the caller to classify.
//
// A POST that may have reached WorkOS (the connection broke after it was
// sent, the try timed out, or it was answered with a 5xx other than 503,
// which a gateway sends when it gives up on a backend that may have
// committed) is not sent again: WorkOS documents Idempotency-Key only for
// audit-log events, so a second try could create a second object. It
// comes back as a NetworkError with MaybeApplied set, and the caller looks
// the object up before creating it again. For the same reason the POST's
// body cannot be rewound, so net/http does not replay it on its own
// either. A 503 says the server did not take the request on, so it is
// retried like any other 5xx.
//
// Retrying here, below the SDK, is what lets the importer honour
// Retry-After: the SDK's errors do not carry response headers.
//
// An error answer that quotes the API key (a proxy that echoes the
// request, an API that names the key it refused) has the key replaced by
// [redacted] here, the one place every answer passes, because what the
// importer keeps of an error goes to the database, mig errors and the
// report.
type Transport struct {
	Base  http.RoundTripper
	Pacer *Pacer
	// MaxAttempts bounds the tries of one request that fails with a 5xx, a
	// timeout or a dropped connection (default 8).
	MaxAttempts int
	// MaxRateLimited bounds the tries of one request answered 429 (default
	// 30); Retry-After already spaces them.
	MaxRateLimited int
	// AttemptTimeout bounds one try, from sending to the end of the body
	// (default 30 s).
	AttemptTimeout time.Duration
	// BaseBackoff and MaxBackoff shape the back-off: BaseBackoff * 2^n,
	// capped, then jittered down by up to half (defaults 250 ms and 20 s).
	BaseBackoff, MaxBackoff time.Duration
	// OutageAfter is how many tries in a row, over every request, may get
	// no answer at all before the endpoint is taken for down (default 10).
	// Tries that failed together count once: a failure counts only if its
	// try started after the last one counted, and each counted failure
	// holds every request back (through the Pacer) for a back-off that
	// grows with the streak, so ten in a row take about a minute.
	OutageAfter int
	// OnOutage, when set, is called once when the endpoint is taken for
	// down; the request that saw it returns an *OutageError.
	OnOutage func(*OutageError)

	stats  Stats
	outage outageState
}

// outageState is the streak of tries without an answer, over every request.
type outageState struct {
	mu       sync.Mutex
	streak   int
	last     time.Time // when the last counted failure was seen
	answered int64     // tries that got an answer, ever
	// lastAnswered is when the latest try that got an answer started.
	lastAnswered time.Time
	fired        bool
}

// noAnswer counts a try that started at started and got no answer, and
// returns the streak and whether this try was counted in it.
func (o *outageState) noAnswer(started time.Time) (int, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !started.After(o.last) {
		return o.streak, false
	}
	o.streak++
	o.last = time.Now()
	return o.streak, true
}

// answer counts a try that started at started and got an answer.
func (o *outageState) answer(started time.Time) {
	o.mu.Lock()
	o.streak = 0
	o.answered++
	if started.After(o.lastAnswered) {
		o.lastAnswered = started
	}
	o.mu.Unlock()
}

// answeredSince reports whether a try that started after t got an answer:
// the endpoint answered a new request since. An answer to a try that
// started before t, on a connection opened before, says nothing of now.
func (o *outageState) answeredSince(t time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.lastAnswered.After(t)
}

// fire reports whether this call is the first to declare the outage.
func (o *outageState) fire() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	first := !o.fired
	o.fired = true
	return first
}

// Stats counts what a Transport sent. Every field is read with Snapshot.
type Stats struct {
	Requests    atomic.Int64 // tries sent, retries included
	Writes      atomic.Int64 // tries counted against the user-management write budget
	Reads       atomic.Int64 // tries counted against the user-management read budget
	Retries     atomic.Int64
	RateLimited atomic.Int64 // 429 answers
	ServerError atomic.Int64 // 5xx answers
	NetError    atomic.Int64 // timeouts, resets, dropped connections
}

// StatsSnapshot is a copy of Stats at one moment.
type StatsSnapshot struct {
	Requests    int64 `json:"requests"`
	Writes      int64 `json:"user_management_writes"`
	Reads       int64 `json:"user_management_reads"`
	Retries     int64 `json:"retries"`
	RateLimited int64 `json:"rate_limited"`
	ServerError int64 `json:"server_errors"`
	NetError    int64 `json:"network_errors"`
}

// Snapshot returns the counts so far.
func (t *Transport) Snapshot() StatsSnapshot {
	s := &t.stats
	return StatsSnapshot{
		Requests: s.Requests.Load(), Writes: s.Writes.Load(), Reads: s.Reads.Load(),
		Retries: s.Retries.Load(), RateLimited: s.RateLimited.Load(),
		ServerError: s.ServerError.Load(), NetError: s.NetError.Load(),
	}
}

type idemKey struct{}

// WithIdempotencyKey returns a context whose POST requests carry key as
// their Idempotency-Key, so that a retry after a lost response replays the
// first answer instead of creating a second object.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idemKey{}, key)
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

func orDefault[T int | time.Duration](v, d T) T {
	if v <= 0 {
		return d
	}
	return v
}

// RoundTrip sends req, pacing and retrying as the type describes.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	header := req.Header.Clone()
	if k, ok := ctx.Value(idemKey{}).(string); ok && k != "" && req.Method == http.MethodPost && header.Get("Idempotency-Key") == "" {
		header.Set("Idempotency-Key", k)
	}
	class := ClassOf(req.Method, req.URL.Path)
	maxAttempts := orDefault(t.MaxAttempts, 8)
	maxLimited := orDefault(t.MaxRateLimited, 30)
	attemptTimeout := orDefault(t.AttemptTimeout, 30*time.Second)

	outageAfter := orDefault(t.OutageAfter, 10)

	failures, limited := 0, 0
	var firstFailed time.Time // when the first try of this request that got no answer started
	for {
		if t.Pacer != nil {
			if err := t.Pacer.Wait(ctx, class); err != nil {
				return nil, err
			}
		}
		actx, cancel := context.WithTimeout(ctx, attemptTimeout)
		r := req.Clone(actx)
		r.Header = header.Clone()
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
			if req.Method == http.MethodPost {
				// net/http replays a request on a reused connection that
				// died before answering when it can rewind the body and
				// the request looks idempotent, which an Idempotency-Key
				// header makes it. WorkOS may have applied it: the caller
				// decides, by looking the object up.
				r.GetBody = nil
			}
		}
		t.stats.Requests.Add(1)
		switch class {
		case Write:
			t.stats.Writes.Add(1)
		case Read:
			t.stats.Reads.Add(1)
		}
		started := time.Now()
		resp, err := t.base().RoundTrip(r)
		if err == nil {
			t.outage.answer(started)
		}

		var wait time.Duration
		switch {
		case err != nil:
			cancel()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			t.stats.NetError.Add(1)
			failures++
			if firstFailed.IsZero() {
				firstFailed = started
			}
			streak, counted := t.outage.noAnswer(started)
			if streak >= outageAfter {
				oe := &OutageError{Tries: streak, Err: err}
				if t.outage.fire() && t.OnOutage != nil {
					t.OnOutage(oe)
				}
				return nil, oe
			}
			if req.Method == http.MethodPost && !neverSent(err) {
				return nil, &NetworkError{Attempts: failures + limited, Err: err, MaybeApplied: true}
			}
			// A request gives up on its own only while others get
			// answers; when nobody does, the streak decides, so that an
			// outage stops the run instead of failing rows one by one.
			// Only answers to tries that started after this request's
			// first failure count: requests already in flight on open
			// connections may still be answered by an endpoint that
			// takes no new ones.
			if failures >= maxAttempts && t.outage.answeredSince(firstFailed) {
				return nil, &NetworkError{Attempts: failures + limited, Err: err}
			}
			wait = t.backoff(failures)
			if t.Pacer != nil && counted {
				// Hold every request back, not only this one, so that
				// the next counted failure is one back-off later.
				t.Pacer.Pause(time.Now().Add(t.backoff(streak)))
			}
		case resp.StatusCode == http.StatusTooManyRequests:
			t.stats.RateLimited.Add(1)
			limited++
			if limited >= maxLimited {
				return withCancel(redactKey(resp, header), cancel), nil
			}
			wait = retryAfter(resp.Header.Get("Retry-After"), t.backoff(limited))
			if t.Pacer != nil {
				t.Pacer.Pause(time.Now().Add(wait))
			}
			discard(resp)
			cancel()
		case resp.StatusCode >= 500:
			t.stats.ServerError.Add(1)
			failures++
			if req.Method == http.MethodPost && resp.StatusCode != http.StatusServiceUnavailable {
				discard(resp)
				cancel()
				return nil, &NetworkError{Attempts: failures + limited, Status: resp.StatusCode,
					Err: errors.New(resp.Status), MaybeApplied: true}
			}
			if failures >= maxAttempts {
				return withCancel(redactKey(resp, header), cancel), nil
			}
			wait = t.backoff(failures)
			if ra := resp.Header.Get("Retry-After"); ra != "" {
				wait = retryAfter(ra, wait)
			}
			discard(resp)
			cancel()
		default:
			return withCancel(redactKey(resp, header), cancel), nil
		}
		t.stats.Retries.Add(1)
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// backoff is the wait before try n+1: exponential, capped, with jitter so
// that workers that failed together do not retry together.
func (t *Transport) backoff(n int) time.Duration {
	base := orDefault(t.BaseBackoff, 250*time.Millisecond)
	ceil := orDefault(t.MaxBackoff, 20*time.Second)
	d := base << min(n-1, 20)
	if d > ceil || d <= 0 {
		d = ceil
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads a Retry-After header in whole seconds (0 is allowed and
// means "soon"), adding up to 250 ms of jitter so that the workers a 429
// stopped together do not all come back in the same millisecond. Without
// a usable header it returns fallback.
func retryAfter(h string, fallback time.Duration) time.Duration {
	if h == "" {
		return fallback
	}
	secs, err := strconv.Atoi(h)
	if err != nil || secs < 0 {
		if when, err := http.ParseTime(h); err == nil {
			return max(time.Until(when), 0) + rand.N(250*time.Millisecond)
		}
		return fallback
	}
	return time.Duration(secs)*time.Second + 50*time.Millisecond + rand.N(200*time.Millisecond)
}

// redactKey replaces the API key the request carried (its Authorization
// header's bearer token) by [redacted] in the body of an error answer. An
// error body is a few hundred bytes; more than 1 MiB of one is cut.
func redactKey(resp *http.Response, header http.Header) *http.Response {
	key := strings.TrimSpace(strings.TrimPrefix(header.Get("Authorization"), "Bearer "))
	if resp.StatusCode < 400 || len(key) < 8 {
		return resp
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	body = bytes.ReplaceAll(body, []byte(key), []byte("[redacted]"))
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp
}

func discard(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// withCancel ties the try's timeout to the response body, so the caller can
// still read it after RoundTrip returns.
func withCancel(resp *http.Response, cancel context.CancelFunc) *http.Response {
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// OutageError is the endpoint taken for down: Tries tries in a row, over
// every request, got no answer at all; Err is the last one's error.
type OutageError struct {
	Tries int
	Err   error
}

func (e *OutageError) Error() string {
	return strconv.Itoa(e.Tries) + " tries in a row got no answer, the last: " + e.Err.Error()
}

func (e *OutageError) Unwrap() error { return e.Err }

// neverSent reports whether a try failed before anything reached the
// server: only a failed dial is certain to (refused, unreachable, a name
// that does not resolve). Everything else, a reset or a timeout after the
// request was written, may have been applied.
func neverSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// NetworkError is a request that never got an answer after every retry:
// timeouts, resets, dropped connections. MaybeApplied marks a POST that
// was not retried because WorkOS may have applied it; Status is the 5xx it
// was answered with, when that answer may have come after the write.
type NetworkError struct {
	Attempts     int
	Err          error
	MaybeApplied bool
	Status       int
}

func (e *NetworkError) Error() string {
	if e.Status != 0 {
		return "answered " + e.Err.Error() + ", which may come after the write (the request may have reached WorkOS)"
	}
	if e.MaybeApplied {
		return "no answer (the request may have reached WorkOS): " + e.Err.Error()
	}
	return "no answer after " + strconv.Itoa(e.Attempts) + " tries: " + e.Err.Error()
}

func (e *NetworkError) Unwrap() error { return e.Err }

// IsNetwork reports whether err is a NetworkError.
func IsNetwork(err error) bool {
	var n *NetworkError
	return errors.As(err, &n)
}

// MaybeApplied reports whether err is a POST that got no answer after it
// may have reached WorkOS: the object may exist, and only a lookup tells.
func MaybeApplied(err error) bool {
	var n *NetworkError
	return errors.As(err, &n) && n.MaybeApplied
}
