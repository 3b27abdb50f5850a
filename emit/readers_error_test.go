package emit

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
)

// The error run returns is the one that stopped the others, not the
// cancellation it caused in a file another worker was writing: a full disk
// said "interrupted" when the worker that saw the cancellation came first.
func TestRunReturnsTheFirstError(t *testing.T) {
	full := errors.New("write users.csv: no space left on device")
	for range 20 {
		var started sync.WaitGroup
		started.Add(2)
		writeFails := func(ctx context.Context, _ *sqlx.Tx) error {
			started.Done()
			started.Wait()
			return full
		}
		seesCancel := func(ctx context.Context, _ *sqlx.Tx) error {
			started.Done()
			<-ctx.Done()
			return ctx.Err()
		}
		r := &readers{txs: make([]*sqlx.Tx, 2)}
		err := r.run(context.Background(), []*job{{run: writeFails}, {run: seesCancel}}, nil)
		if !errors.Is(err, full) {
			t.Fatalf("run returned %v, want the full disk", err)
		}
	}
}
