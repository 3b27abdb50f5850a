// Package importer moves what is staged (permissions, roles, organizations,
// users, memberships, TOTP factors) into WorkOS, keeping the state of every
// row in the staging database's import_items table so that an import can be
// stopped at any moment, by Ctrl-C or a crash, and resumed without creating
// a duplicate or losing a row.
//
// A row goes pending → in_flight → done | failed | skipped. It is marked
// in_flight, in a batch, before its request is sent; a row found in_flight
// when a run starts was maybe sent by a run that died, so it is reconciled
// by looking the object up in WorkOS before anything is created.
package importer

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/importer/workosapi"
)

// DefaultEndpoint is WorkOS's production API.
const DefaultEndpoint = "https://api.workos.com"

// DefaultConcurrency is the number of requests in flight when Options does
// not say: enough to keep WorkOS's write budget busy at a few hundred
// milliseconds per request.
const DefaultConcurrency = 16

// Entities, in the order an import sends them, as --only names them.
var Entities = []string{"permissions", "roles", "organizations", "users", "memberships", "totp"}

// itemEntity maps the --only names to import_items.entity.
var itemEntity = map[string]string{
	"permissions": "permission", "roles": "role", "organizations": "organization",
	"users": "user", "memberships": "membership", "totp": "totp",
}

// Options is one import's settings. The API key is used for requests only:
// it is never written to the database, the logs or the summary.
type Options struct {
	// Endpoint is the WorkOS API base URL (DefaultEndpoint when empty).
	Endpoint string
	// APIKey is the WorkOS secret key (sk_...).
	APIKey string `json:"-"`
	// HTTPClient sends the requests; its Transport is wrapped with the
	// importer's pacing and retries. Nil uses http.DefaultTransport. `mig
	// import --dry-run` passes an in-process emulator's client here.
	HTTPClient *http.Client `json:"-"`
	// Concurrency bounds the requests in flight (DefaultConcurrency when 0).
	Concurrency int
	// RateLimit is requests per second: 0 derives the budgets from WorkOS's
	// published limits, > 0 sets every budget to it, < 0 disables pacing.
	RateLimit float64
	// Only restricts the run to some of Entities; empty means all.
	Only []string
	// Prepare, when set, stages what the command line adds to the source
	// (mig import --org-id: ingest.AddOrgMemberships). It runs first in the
	// transaction that brings the import rows up to date with the staging,
	// after the checks that may refuse the run: a refused run stages
	// nothing, and --plan, which rolls that transaction back, leaves the
	// database as it was.
	Prepare func(ctx context.Context, tx *sqlx.Tx) error `json:"-"`
	// CreateOrgs creates organizations referenced only by external id when
	// WorkOS does not have them and their name is known.
	CreateOrgs bool
	// Limit imports at most this many users in this run (a sample), with
	// their memberships and factors; 0 means no limit.
	Limit int
	// Plan only counts what would be sent; nothing is written anywhere.
	Plan bool
	// RetryFailed makes failed rows pending again first: those whose
	// failure was retryable, or every failed row with RetryAll.
	RetryFailed bool
	RetryAll    bool
	// IgnoreCheckErrors lets a run start while `mig check` error findings
	// are open; the rows they concern are skipped with the finding as
	// their reason (sqlqueries/importer/skip_check_errors.sql). Without it
	// a run refuses to start (CheckErrorsError).
	IgnoreCheckErrors bool
	// Progress receives live progress (bars when ProgressTTY, otherwise a
	// line every few seconds); nil for none.
	Progress    io.Writer `json:"-"`
	ProgressTTY bool      `json:"-"`
	// Log receives what happens beyond progress; nil discards it.
	Log *slog.Logger `json:"-"`

	// transport tuning for tests (shorter back-off); zero keeps defaults.
	backoff time.Duration
}

// Counts is where one entity's import rows stand; each row is in exactly
// one of Succeeded (created by mig), Adopted (found in WorkOS, whether it
// was there before or is re-found after a lost answer or a crash), Updated,
// Failed, Skipped and Pending.
type Counts struct {
	Total     int64 `json:"total" db:"total"`
	Succeeded int64 `json:"succeeded" db:"succeeded"`
	Failed    int64 `json:"failed" db:"failed"`
	Skipped   int64 `json:"skipped" db:"skipped"`
	Adopted   int64 `json:"adopted" db:"adopted"`
	Updated   int64 `json:"updated" db:"updated"`
	Pending   int64 `json:"pending" db:"pending"`
}

// Summary is the outcome of a run: per entity (keyed by the names in
// Entities) the state of every import row, not only those this run sent,
// so a resumed run reports the whole import.
type Summary struct {
	RunID    int64                   `json:"run_id,omitempty"`
	Endpoint string                  `json:"endpoint"`
	DryRun   bool                    `json:"dry_run,omitempty"`
	Entities map[string]Counts       `json:"entities"`
	Requests workosapi.StatsSnapshot `json:"requests"`
	Seconds  float64                 `json:"seconds"`
	Warnings int64                   `json:"warnings,omitempty"`
	Plan     *Plan                   `json:"plan,omitempty"`
	// Failures is filled by a dry run: its causes, since its database copy
	// is gone afterwards.
	Failures []ErrorGroup `json:"failures,omitempty"`
	// NotSent is what the import can never send, by reason.
	NotSent []NotSent `json:"not_sent,omitempty"`
}

// NotSent is staged data the import never sends, and why: role
// assignments no membership carries, since a WorkOS role belongs to an
// organization membership.
type NotSent struct {
	What   string `json:"what" db:"what"`
	Reason string `json:"reason" db:"reason"`
	N      int64  `json:"rows" db:"n"`
	Why    string `json:"why" db:"why"`
	Fix    string `json:"fix"`
}

// Failed is the number of failed rows over every entity.
func (s *Summary) Failed() int64 {
	var n int64
	for _, c := range s.Entities {
		n += c.Failed
	}
	return n
}

// PartialError is returned when a run finished with some rows failed. Every
// other row is done; the failed ones are in import_items with their cause.
type PartialError struct {
	Summary   *Summary
	Failed    int64
	Retryable int64
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("%d rows failed (%d retryable); the rest is in WorkOS", e.Failed, e.Retryable)
}

// Hint tells the user what to run next.
func (e *PartialError) Hint() string {
	if e.Retryable > 0 {
		return "mig import --retry-failed   (see the causes with: mig errors)"
	}
	return "mig errors   (fix the causes, then: mig import --retry-failed --all)"
}

// UnreachableError is an endpoint that does not answer. Before the first
// write (Stopped false) nothing was sent or marked; in the middle of a run
// (Stopped true) the run stopped, the rows not attempted yet are pending
// as before, and those in flight are looked up when the run is started
// again.
type UnreachableError struct {
	Endpoint string
	Stopped  bool
	Err      error
}

func (e *UnreachableError) Error() string {
	if e.Stopped {
		return fmt.Sprintf("%s stopped answering (%v); the run stopped: no row was marked failed for it, the rows not sent yet are still pending", e.Endpoint, e.Err)
	}
	return fmt.Sprintf("cannot reach %s: %v; nothing was sent", e.Endpoint, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Hint says the run can simply be started again.
func (e *UnreachableError) Hint() string {
	return "check --endpoint (WORKOS_API_URL) and the network, then run mig import again: it resumes where it stopped"
}

// RuleCount is how many open findings one check rule has.
type RuleCount struct {
	Rule string `json:"rule" db:"rule"`
	N    int64  `json:"findings" db:"n"`
}

// CheckErrorsError is an import refused before it sent anything, because
// `mig check` error findings are open: those rows would fail, or worse,
// go to WorkOS wrong (two people under one email).
type CheckErrorsError struct {
	Rules []RuleCount
}

func (e *CheckErrorsError) Error() string {
	var n int64
	parts := make([]string, len(e.Rules))
	for i, r := range e.Rules {
		n += r.N
		parts[i] = fmt.Sprintf("%s (%d)", r.Rule, r.N)
	}
	return fmt.Sprintf("mig check reports %d error findings: %s; nothing was sent", n, strings.Join(parts, ", "))
}

// Hint names both ways on.
func (e *CheckErrorsError) Hint() string {
	return "mig check   (to see and fix them), or mig import --ignore-check-errors to skip the rows they concern"
}

// AuthError is WorkOS refusing the API key (401). Nothing is marked failed:
// the rows stay as they were and the next run with a good key resumes.
type AuthError struct {
	Err *workosapi.APIError
}

func (e *AuthError) Error() string {
	if e.Err == nil || e.Err.Status == 0 {
		return "no WorkOS API key given"
	}
	return "WorkOS rejected the API key (401); no row was marked failed: " + e.Err.Message
}

// Hint names where the key comes from.
func (e *AuthError) Hint() string {
	return "export WORKOS_SECRET_KEY=sk_... (the environment's secret key), or pass --api-key"
}

// onlySet returns the import_items entities the run covers.
func onlySet(only []string) (map[string]bool, error) {
	set := map[string]bool{}
	if len(only) == 0 {
		for _, e := range itemEntity {
			set[e] = true
		}
		return set, nil
	}
	for _, o := range only {
		for _, name := range strings.Split(o, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			e, ok := itemEntity[name]
			if !ok {
				e, ok = itemEntity[name+"s"]
			}
			if !ok {
				return nil, fmt.Errorf("--only %s: want some of %s", name, strings.Join(Entities, ", "))
			}
			set[e] = true
			if e == "role" {
				set["permission"] = true
			}
		}
	}
	return set, nil
}

// displayName maps an import_items entity to its name in Entities, and
// any other entity (role_assignment) to its plural in words.
func displayName(entity string) string {
	for k, v := range itemEntity {
		if v == entity {
			return k
		}
	}
	return strings.ReplaceAll(entity, "_", " ") + "s"
}
