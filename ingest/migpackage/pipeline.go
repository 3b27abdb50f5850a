package migpackage

import "context"

// pipeline runs produce on a goroutine of its own while consume takes what
// it sends, a batch at a time, on the caller's: reading and parsing a file
// on one core while the database is written on the other, which is the
// bottleneck of an ingest. produce stops when send returns false (consume
// failed, or ctx is done). pipeline returns consume's error first, then
// produce's.
func pipeline[T any](ctx context.Context, produce func(ctx context.Context, send func(T) bool) error, consume func(T) error) error {
	ch := make(chan T, 4)
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	var produceErr error
	go func() {
		defer close(ch)
		produceErr = produce(pctx, func(b T) bool {
			select {
			case ch <- b:
				return true
			case <-pctx.Done():
				return false
			}
		})
	}()
	var consumeErr error
	for b := range ch {
		if consumeErr != nil {
			continue // drain until the producer sees it is stopped
		}
		if consumeErr = consume(b); consumeErr != nil {
			stop()
		}
	}
	if consumeErr != nil {
		return consumeErr
	}
	return produceErr
}
