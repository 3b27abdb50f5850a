package emit

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/pkgcontract"
	"github.com/mig-tools/mig/staging"
)

// job is one package file to write, or (with run) several.
type job struct {
	file      pkgcontract.File
	query     Query // empty: header only
	path      string
	rows      int
	plaintext int // users.csv: rows with a plaintext password
	// run, when set, writes the job's files itself.
	run func(ctx context.Context, tx *sqlx.Tx) error
}

// readers are read transactions on one snapshot of the staging database:
// the caller's connection and, for files written in parallel, extra
// read-only connections opened on the same file (staging's OpenReader).
type readers struct {
	dbs []*staging.DB // extra connections, closed by close
	txs []*sqlx.Tx
}

// openReaders begins a read transaction on db and on up to workers-1 extra
// read-only connections. With a rollback journal a reader holds a shared
// lock until its transaction ends, and no writer can commit while one is
// held; so once the first transaction has read, every later one sees the
// same data, and all the files agree with each other.
func openReaders(ctx context.Context, db *staging.DB, workers int) (*readers, error) {
	if workers <= 0 {
		workers = min(runtime.NumCPU(), 4)
	}
	r := &readers{}
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	r.txs = append(r.txs, tx)
	if err := takeSnapshot(ctx, tx); err != nil {
		r.close()
		return nil, err
	}
	if db.Path == "" || db.Path == ":memory:" {
		return r, nil
	}
	for len(r.txs) < workers {
		extra, err := db.OpenReader(ctx)
		if err != nil {
			// Fewer workers is slower, not wrong.
			break
		}
		tx, err := extra.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
		if err == nil {
			err = takeSnapshot(ctx, tx)
		}
		if err != nil {
			extra.Close()
			break
		}
		r.dbs = append(r.dbs, extra)
		r.txs = append(r.txs, tx)
	}
	return r, nil
}

func takeSnapshot(ctx context.Context, tx *sqlx.Tx) error {
	var n int
	return tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master`).Scan(&n)
}

// run writes the jobs, in order, one per transaction at a time: the
// biggest come first. The first error stops the others.
func (r *readers) run(ctx context.Context, jobs []*job, params []any) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	order := make(chan *job, len(jobs))
	for _, j := range jobs {
		order <- j
	}
	close(order)
	var wg sync.WaitGroup
	// The first error, by time: the cancellation it causes makes the
	// other workers fail too, and their errors say only "canceled".
	var (
		mu    sync.Mutex
		first error
	)
	for _, tx := range r.txs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range order {
				if ctx.Err() != nil {
					return
				}
				var err error
				if j.run != nil {
					err = j.run(ctx, tx)
				} else {
					j.rows, err = writeQuery(ctx, tx, j.path, j.file, j.query, params)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("emit %s: %w", j.file.Path, err)
					}
					mu.Unlock()
					cancel()
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// close ends the transactions and closes the extra connections; it may be
// called more than once.
func (r *readers) close() {
	for _, tx := range r.txs {
		tx.Rollback()
	}
	for _, db := range r.dbs {
		db.Close()
	}
	r.txs, r.dbs = nil, nil
}
