package importer

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/importer/workosapi"
	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// Plan is what a run would send, counted without sending anything.
type Plan struct {
	Rows []PlanRow `json:"rows"`
	// Requests by how WorkOS counts them, on the happy path.
	Writes int64 `json:"user_management_writes"`
	Reads  int64 `json:"user_management_reads"`
	Other  int64 `json:"other_requests"`
	// Rates are the budgets in requests per second; 0 means unpaced.
	WriteRate float64 `json:"write_rate"`
	ReadRate  float64 `json:"read_rate"`
	TotalRate float64 `json:"total_rate"`
	// Estimate is the time the requests take at those budgets.
	Estimate time.Duration `json:"-"`
	Seconds  float64       `json:"estimated_seconds"`
	// CheckErrors are the open error findings of `mig check` (as of its
	// last run): a real run refuses to start while there are any, unless
	// --ignore-check-errors.
	CheckErrors []RuleCount `json:"check_errors,omitempty"`
	// NotImportable is staged data no run can send (role assignments no
	// membership carries), by reason.
	NotImportable []NotSent `json:"not_importable,omitempty"`
	// Excluded are the rows `mig exclude` holds back, per entity: they are
	// skipped, never sent.
	Excluded []EntityCount `json:"excluded,omitempty"`
}

// EntityCount is a number of import rows of one entity (named as in
// Entities).
type EntityCount struct {
	Entity string `json:"entity" db:"entity"`
	N      int64  `json:"rows" db:"n"`
}

// PlanRow is one kind of work on one entity.
type PlanRow struct {
	Entity   string `json:"entity" db:"entity"`
	Kind     string `json:"kind" db:"kind"`
	Rows     int64  `json:"rows" db:"n"`
	Requests int64  `json:"requests"`
}

var errPlanDone = errors.New("plan done")

// planRun counts the work inside a transaction that it rolls back, so that
// --plan leaves the database exactly as it was.
func planRun(ctx context.Context, db *staging.DB, opts Options, only map[string]bool) (*Summary, error) {
	if db.ReadOnly {
		return nil, errors.New("import --plan: the staging database is open read-only")
	}
	var plan Plan
	var entities map[string]Counts
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
		if opts.Prepare != nil {
			if err := opts.Prepare(ctx, tx); err != nil {
				return err
			}
		}
		if err := populate(ctx, tx, opts); err != nil {
			return err
		}
		var rows []PlanRow
		if err := tx.SelectContext(ctx, &rows, sqlqueries.MustLoad("importer/plan.sql").SQL); err != nil {
			return err
		}
		for _, r := range rows {
			if !only[r.Entity] {
				continue
			}
			if r.Entity == "user" && opts.Limit > 0 && r.Rows > int64(opts.Limit) {
				r.Rows = int64(opts.Limit)
			}
			w, rd, o := requestsFor(r)
			r.Requests = w + rd + o
			plan.Writes += w
			plan.Reads += rd
			plan.Other += o
			r.Entity = displayName(r.Entity)
			plan.Rows = append(plan.Rows, r)
		}
		var err error
		entities, err = summarize(ctx, tx)
		if err != nil {
			return err
		}
		if plan.CheckErrors, err = CheckErrors(ctx, tx); err != nil {
			return err
		}
		if plan.NotImportable, err = notSent(ctx, tx); err != nil {
			return err
		}
		var excluded []EntityCount
		if err := tx.SelectContext(ctx, &excluded, sqlqueries.MustLoad("importer/excluded.sql").SQL); err != nil {
			return err
		}
		for _, name := range Entities {
			for _, x := range excluded {
				if only[x.Entity] && itemEntity[name] == x.Entity {
					plan.Excluded = append(plan.Excluded, EntityCount{Entity: name, N: x.N})
				}
			}
		}
		return errPlanDone
	})
	if err != nil && !errors.Is(err, errPlanDone) {
		return nil, err
	}
	wr, rr, tr := workosapi.NewPacer(opts.RateLimit).Rates()
	secs := 0.0
	for _, x := range []float64{float64(plan.Writes) / wr, float64(plan.Reads) / rr, float64(plan.Writes+plan.Reads+plan.Other) / tr} {
		if !math.IsNaN(x) {
			secs = math.Max(secs, x)
		}
	}
	finite := func(f float64) float64 {
		if math.IsInf(f, 0) {
			return 0
		}
		return f
	}
	plan.WriteRate, plan.ReadRate, plan.TotalRate = finite(wr), finite(rr), finite(tr)
	plan.Estimate = time.Duration(secs * float64(time.Second)).Round(time.Second)
	plan.Seconds = plan.Estimate.Seconds()
	return &Summary{Endpoint: opts.Endpoint, Entities: entities, Plan: &plan}, nil
}

// requestsFor is the happy path's requests for rows of one kind: writes
// and reads under /user_management/, and others.
func requestsFor(r PlanRow) (writes, reads, other int64) {
	n := r.Rows
	switch r.Entity {
	case "permission":
		return 0, 0, n
	case "role":
		// Create, then set its permissions.
		return 0, 0, 2 * n
	case "organization":
		switch r.Kind {
		case "org_id", "external_id":
			return 0, 0, n // a lookup
		default:
			return 0, 0, 2 * n // a lookup, then a create when missing
		}
	case "user", "membership", "totp":
		if r.Kind == "reconcile" {
			return n, n, 0 // a lookup, then the write if it was not found
		}
		return n, 0, 0
	}
	return 0, 0, n
}
