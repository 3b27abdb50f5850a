package workosemu

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"
	"strings"
	"sync"
	"time"
)

// idempotencyTTL is how long production remembers an Idempotency-Key.
const idempotencyTTL = 24 * time.Hour

// Idempotency modes for Options.Idempotency.
const (
	// IdempotencySpec replays an Idempotency-Key only on the operations
	// whose key the OpenAPI spec documents (the default): a client that
	// counts on a replay anywhere else would create duplicates in
	// production, and the emulator must show it.
	IdempotencySpec = "spec"
	// IdempotencyAll replays an Idempotency-Key on every POST, as the
	// emulator once did.
	IdempotencyAll = "all"
)

// specIdempotent is every operation whose Idempotency-Key header the
// OpenAPI spec documents, as "METHOD /path" (a test compares it with the
// spec). The emulator serves none of them today, so by default it replays
// nothing.
var specIdempotent = map[string]bool{
	"POST /audit_logs/events": true,
}

// honoursIdempotency reports whether a request to method and path has its
// Idempotency-Key replayed.
func (s *Server) honoursIdempotency(method, path string) bool {
	if method != http.MethodPost {
		return false
	}
	return s.opts.Idempotency == IdempotencyAll || specIdempotent[method+" "+strings.ToLower(path)]
}

// recorded is a finished response kept for replay.
type recorded struct {
	status int
	body   []byte
}

type idemEntry struct {
	fingerprint [32]byte
	done        chan struct{} // closed when resp is set
	resp        recorded
	ok          bool // false if the first request never produced a response
	at          time.Time
}

// idempotency remembers POST responses by API key and Idempotency-Key, so a
// retry after a lost response does not create a second object.
type idempotency struct {
	mu      sync.Mutex
	entries map[string]*idemEntry
}

func newIdempotency() *idempotency { return &idempotency{entries: map[string]*idemEntry{}} }

func fingerprint(method, path string, body []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(bytes.TrimSpace(body))
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// begin claims key for this request. It returns (nil, finish) when the
// caller should run the request and then call finish with the response; a
// non-nil reply means answer with it instead (a replay or a conflict).
func (id *idempotency) begin(ctx context.Context, key string, fp [32]byte, now time.Time) (*reply, *recorded, func(recorded, bool)) {
	for {
		id.mu.Lock()
		e, ok := id.entries[key]
		if ok && now.Sub(e.at) > idempotencyTTL {
			delete(id.entries, key)
			ok = false
		}
		if !ok {
			e = &idemEntry{fingerprint: fp, done: make(chan struct{}), at: now}
			id.entries[key] = e
			id.mu.Unlock()
			return nil, nil, func(r recorded, keep bool) {
				id.mu.Lock()
				if keep {
					e.resp, e.ok = r, true
				} else {
					delete(id.entries, key)
				}
				id.mu.Unlock()
				close(e.done)
			}
		}
		id.mu.Unlock()
		if e.fingerprint != fp {
			r := errMessage(http.StatusConflict, "Another request with this Idempotency-Key was made with different parameters.")
			return &r, nil, nil
		}
		select {
		case <-e.done:
		case <-ctx.Done():
			r := errMessage(http.StatusConflict, "A request with this Idempotency-Key is still in progress.")
			return &r, nil, nil
		}
		id.mu.Lock()
		resp, done := e.resp, e.ok
		id.mu.Unlock()
		if done {
			return nil, &resp, nil
		}
		// The first attempt failed without a response worth keeping; try
		// to claim the key again.
	}
}
