package auth0

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/auth0/go-auth0/management"
	"golang.org/x/oauth2"
	"golang.org/x/time/rate"
)

// clock is time as the fetch sees it: pacing, 429 waits and job polls all
// go through it, so tests run them on a virtual clock without waiting.
type clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Limits of the 429 handling: how many 429 answers in a row one request
// waits out, and the longest single wait before the fetch gives up (a reset
// hours away is a daily quota, not a burst).
const (
	maxRateLimitRetries = 10
	maxRateLimitWait    = 10 * time.Minute
)

// pacer is the transport under every Management API request: it keeps the
// pace under the rate limit and waits out 429 answers until the time
// X-RateLimit-Reset gives. go-auth0's own retries are off: they wait at
// most 10 seconds whatever the header says.
type pacer struct {
	base    http.RoundTripper
	limiter *rate.Limiter
	clock   clock
	log     *slog.Logger
}

func newPacer(base http.RoundTripper, perSecond float64, c clock, log *slog.Logger) *pacer {
	lim := rate.NewLimiter(rate.Inf, 1)
	if perSecond == 0 {
		perSecond = DefaultRateLimit
	}
	if perSecond > 0 {
		lim = rate.NewLimiter(rate.Limit(perSecond), 1)
	}
	return &pacer{base: base, limiter: lim, clock: c, log: log}
}

// RoundTrip sends req, waiting for its turn and retrying after 429 answers.
func (p *pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		now := p.clock.Now()
		if err := p.clock.Sleep(ctx, p.limiter.ReserveN(now, 1).DelayFrom(now)); err != nil {
			return nil, err
		}
		r := req
		if attempt > 0 && req.Body != nil && req.Body != http.NoBody {
			if req.GetBody == nil {
				return nil, fmt.Errorf("auth0 %s %s: rate limited, and the request cannot be sent again", req.Method, req.URL.Path)
			}
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		resp, err := p.base.RoundTrip(r)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || attempt == maxRateLimitRetries {
			return resp, err
		}
		wait := retryAfter(resp.Header, p.clock.Now(), attempt)
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if wait > maxRateLimitWait {
			return nil, fmt.Errorf("auth0 %s %s: the Management API rate limit resets in %s (at %s); run the ingest again after that",
				req.Method, req.URL.Path, wait.Round(time.Second), p.clock.Now().Add(wait).Format(time.RFC3339))
		}
		p.log.Info("auth0 rate limit reached; waiting for it to reset", "path", req.URL.Path, "wait", wait)
		if err := p.clock.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// retryAfter is how long to wait after a 429: until X-RateLimit-Reset (a
// Unix time in seconds, so at least a second), else Retry-After, else an
// exponential back-off.
func retryAfter(h http.Header, now time.Time, attempt int) time.Duration {
	if s, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		return max(time.Unix(s, 0).Sub(now), time.Second)
	}
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil {
		return max(time.Duration(s)*time.Second, time.Second)
	}
	return min(time.Second<<attempt, 32*time.Second)
}

// baseURL turns --domain into the URL go-auth0 is given: a bare domain
// means https.
func baseURL(domain string) (host string, insecure bool) {
	d := strings.TrimRight(strings.TrimSpace(domain), "/")
	if rest, ok := strings.CutPrefix(d, "http://"); ok {
		return rest, true
	}
	return strings.TrimPrefix(d, "https://"), false
}

// client is the Management API client and the plain client that downloads
// export files (a pre-signed storage URL takes no token).
type client struct {
	m        *management.Management
	download *http.Client
	base     string // scheme and host, for the callback URLs of SSO handoff
}

func newClient(ctx context.Context, o Options) (*client, error) {
	host, insecure := baseURL(o.Domain)
	base := http.DefaultTransport
	if o.HTTPClient != nil && o.HTTPClient.Transport != nil {
		base = o.HTTPClient.Transport
	}
	paced := &http.Client{Transport: newPacer(base, o.RateLimit, o.clock, o.Log)}
	// The token request goes through the same pacer: oauth2 takes its
	// client from the context.
	tokenCtx := context.WithValue(ctx, oauth2.HTTPClient, paced)
	opts := []management.Option{management.WithClient(paced), management.WithNoRetries(),
		management.WithUserAgent("mig (github.com/mig-tools/mig)")}
	if insecure {
		// WithInsecure switches to http; the client-credentials option after
		// it replaces its placeholder token with a real one.
		opts = append(opts, management.WithInsecure())
	}
	opts = append(opts, management.WithClientCredentials(tokenCtx, o.ClientID, o.ClientSecret))
	m, err := management.New(host, opts...)
	if err != nil {
		return nil, fmt.Errorf("auth0 domain %q: %w", o.Domain, err)
	}
	scheme := "https://"
	if insecure {
		scheme = "http://"
	}
	return &client{m: m, download: &http.Client{Transport: base}, base: scheme + host}, nil
}

// get requests a Management API path with the query and decodes the
// answer into out. The query is built here rather than with go-auth0's
// request options, which cannot repeat a parameter (strategy=a&strategy=b).
func (c *client) get(ctx context.Context, out any, q url.Values, path ...string) error {
	uri := c.m.URI(path...)
	if len(q) > 0 {
		uri += "?" + q.Encode()
	}
	if err := c.m.Request(ctx, http.MethodGet, uri, out); err != nil {
		return fmt.Errorf("auth0 GET /api/v2/%s: %w", strings.Join(path, "/"), err)
	}
	return nil
}
