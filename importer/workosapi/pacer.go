// Package workosapi is the importer's side of the WorkOS API: a Transport
// that paces every request to WorkOS's published rate limits and retries
// what is worth retrying, an error type that keeps the status, code,
// sub-codes and request id of a failed call, and a small typed client for
// the calls the official SDK lacks (/authorization/* roles and permissions,
// role_slugs on memberships, organization search).
package workosapi

import (
	"context"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// WorkOS's published limits (https://workos.com/docs/reference/rate-limits):
// AuthKit user management allows 500 writes and 1,000 reads per 10 seconds
// per environment, and every API key 6,000 requests per 60 seconds.
const (
	PublishedWritesPer10s = 500
	PublishedReadsPer10s  = 1000
	PublishedPerKeyPer60s = 6000
)

// Default budgets, derived from the published limits with a margin. A
// token bucket of rate r and burst b lets through at most b + r*T requests
// in any span T, so 47.5/s with a burst of 5 admits at most 480 writes in
// any 10 s (the server counts 500) while sustaining 95% of the budget. The
// margin absorbs jitter between a request leaving and reaching the server,
// which bunches requests up on the server's side: with a margin of 10 (48/s,
// burst 10) bench/run's 1M import on a loaded machine met a few 429s, each
// of which pauses every worker for its Retry-After (bench/RESULTS.md).
const (
	DefaultWriteRate  = 47.5
	DefaultWriteBurst = 5
	DefaultReadRate   = 96.0
	DefaultReadBurst  = 10
	DefaultTotalRate  = 97.0
	DefaultTotalBurst = 20
)

// Pacer is the one rate limiter shared by every worker and entity. It keeps
// separate budgets for user-management writes, user-management reads and
// all requests, as WorkOS counts them, and a pause that a 429's Retry-After
// imposes on everyone, not only on the worker that got it.
type Pacer struct {
	writes, reads, total *rate.Limiter

	mu          sync.Mutex
	pausedUntil time.Time
}

// NewPacer returns a Pacer. rps 0 uses the defaults derived from WorkOS's
// published limits; rps > 0 sets every budget to rps requests per second
// (for an environment with raised limits, or to go gently); rps < 0 turns
// pacing off, for tests against an emulator without limits.
func NewPacer(rps float64) *Pacer {
	switch {
	case rps < 0:
		inf := rate.NewLimiter(rate.Inf, 0)
		return &Pacer{writes: inf, reads: inf, total: inf}
	case rps > 0:
		b := int(math.Max(1, math.Min(rps/5, 20)))
		return &Pacer{
			writes: rate.NewLimiter(rate.Limit(rps), b),
			reads:  rate.NewLimiter(rate.Limit(rps), b),
			total:  rate.NewLimiter(rate.Limit(rps), b),
		}
	}
	return &Pacer{
		writes: rate.NewLimiter(DefaultWriteRate, DefaultWriteBurst),
		reads:  rate.NewLimiter(DefaultReadRate, DefaultReadBurst),
		total:  rate.NewLimiter(DefaultTotalRate, DefaultTotalBurst),
	}
}

// Rates reports the budgets in requests per second (+Inf when off), for
// the plan's time estimate.
func (p *Pacer) Rates() (writes, reads, total float64) {
	f := func(l *rate.Limiter) float64 {
		if l.Limit() == rate.Inf {
			return math.Inf(1)
		}
		return float64(l.Limit())
	}
	return f(p.writes), f(p.reads), f(p.total)
}

// Class is how WorkOS counts a request against its limits.
type Class int

const (
	// Other is any request outside /user_management/: only the per-key
	// budget applies.
	Other Class = iota
	// Read is a GET or HEAD under /user_management/.
	Read
	// Write is any other method under /user_management/.
	Write
)

// ClassOf classifies a request.
func ClassOf(method, path string) Class {
	if !strings.HasPrefix(strings.ToLower(path), "/user_management/") {
		return Other
	}
	if method == http.MethodGet || method == http.MethodHead {
		return Read
	}
	return Write
}

// Wait blocks until a request of class c may be sent, or ctx ends.
func (p *Pacer) Wait(ctx context.Context, c Class) error {
	for {
		p.mu.Lock()
		d := time.Until(p.pausedUntil)
		p.mu.Unlock()
		if d <= 0 {
			break
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
	switch c {
	case Write:
		if err := p.writes.Wait(ctx); err != nil {
			return err
		}
	case Read:
		if err := p.reads.Wait(ctx); err != nil {
			return err
		}
	}
	return p.total.Wait(ctx)
}

// Pause holds every request until t, as a 429's Retry-After asks.
func (p *Pacer) Pause(t time.Time) {
	p.mu.Lock()
	if t.After(p.pausedUntil) {
		p.pausedUntil = t
	}
	p.mu.Unlock()
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
