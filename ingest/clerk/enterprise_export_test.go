package clerk

import (
	"context"
	"time"
)

// WithSleep returns o with its waits between attempts going to sleep, so
// that tests see how long FetchEnterpriseConnections would wait without
// waiting.
func WithSleep(o EnterpriseOptions, sleep func(context.Context, time.Duration) error) EnterpriseOptions {
	o.sleep = sleep
	return o
}
