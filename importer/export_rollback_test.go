package importer

import "time"

// SetReconcileBackoff shortens a reconcile's back-off for tests.
func SetReconcileBackoff(o *ReconcileOptions, d time.Duration) { o.backoff = d }
