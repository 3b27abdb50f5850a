package importer

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/mig-tools/mig/importer/workosapi"
)

// preflight checks, before anything is written to the staging database or
// sent to WorkOS, that the endpoint answers and accepts the key: one read,
// tried three times at most. A dead endpoint would otherwise have every
// row's requests retried for minutes and then marked failed.
func preflight(ctx context.Context, opts Options) error {
	tr := &workosapi.Transport{Base: baseTransport(opts.HTTPClient), MaxAttempts: 3, OutageAfter: 3,
		BaseBackoff: opts.backoff, MaxBackoff: 20 * opts.backoff}
	api := &workosapi.Client{Endpoint: opts.Endpoint, APIKey: opts.APIKey, HTTPClient: &http.Client{Transport: tr}}
	err := api.Ping(ctx)
	if err == nil || ctx.Err() != nil {
		return ctx.Err()
	}
	if ae, ok := workosapi.AsAPIError(err); ok {
		if ae.Status == http.StatusUnauthorized {
			return &AuthError{Err: ae}
		}
		// A 5xx or a 429 still came from a server at that address: the
		// endpoint answers, and the run's own retries and pacing deal with
		// a server that is busy or failing now and then. Refusing here
		// would stop an import for three unlucky answers in a row.
		if ae.Status >= 500 || ae.Status == http.StatusTooManyRequests {
			return nil
		}
		return fmt.Errorf("check %s before importing: GET /organizations answered %v; is --endpoint the WorkOS API, and the key of the right environment?", opts.Endpoint, ae)
	}
	var oe *workosapi.OutageError
	if errors.As(err, &oe) {
		return &UnreachableError{Endpoint: opts.Endpoint, Err: oe}
	}
	var ne *workosapi.NetworkError
	if errors.As(err, &ne) {
		return &UnreachableError{Endpoint: opts.Endpoint, Err: ne}
	}
	return fmt.Errorf("check %s before importing: %w", opts.Endpoint, err)
}
