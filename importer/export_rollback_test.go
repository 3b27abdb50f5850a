package importer

import "time"

// SetReconcileBackoff shortens a reconcile's back-off for tests.
func SetReconcileBackoff(o *ReconcileOptions, d time.Duration) { o.backoff = d }

// SetRollbackBackoff shortens a rollback's back-off for tests.
func SetRollbackBackoff(o *RollbackOptions, d time.Duration) { o.backoff = d }

// AfterRollbackDelete sets a function called after every object a rollback
// deleted, so a test can stop it part way.
func AfterRollbackDelete(o *RollbackOptions, f func()) { o.afterDelete = f }

// CrashRollbackBeforeWrite makes a rollback stop, as a crash would, between
// a page's requests and their record, when crash returns true.
func CrashRollbackBeforeWrite(o *RollbackOptions, crash func() bool) { o.crashBeforeWrite = crash }
