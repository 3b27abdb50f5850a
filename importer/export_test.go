package importer

import "time"

// SetBackoff shortens the Transport's back-off so fault tests run in
// milliseconds instead of seconds.
func SetBackoff(o *Options, d time.Duration) { o.backoff = d }
