package importer

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/mig-tools/mig/importer/workosapi"
)

// endpointDefaults fills in what import, reconcile and rollback leave
// unset in the same way: WorkOS's API (without a trailing slash), the
// default number of workers, and a logger that discards.
func endpointDefaults(endpoint *string, concurrency *int, log **slog.Logger) {
	if *endpoint == "" {
		*endpoint = DefaultEndpoint
	}
	*endpoint = strings.TrimRight(*endpoint, "/")
	if *concurrency <= 0 {
		*concurrency = DefaultConcurrency
	}
	if *log == nil {
		*log = slog.New(slog.DiscardHandler)
	}
}

// baseTransport is the transport requests finally go out on: the one of
// the client a caller handed over (a test's, the dry run's emulator), or
// net/http's default.
func baseTransport(hc *http.Client) http.RoundTripper {
	if hc != nil && hc.Transport != nil {
		return hc.Transport
	}
	return http.DefaultTransport
}

// pacedTransport is the Transport every command that talks to WorkOS runs
// on: paced under the rate limit (rps 0: WorkOS's published budgets),
// retrying with back-off from backoff up to twenty times it.
func pacedTransport(hc *http.Client, rps float64, backoff time.Duration) *workosapi.Transport {
	return &workosapi.Transport{Base: baseTransport(hc), Pacer: workosapi.NewPacer(rps),
		BaseBackoff: backoff, MaxBackoff: 20 * backoff}
}
