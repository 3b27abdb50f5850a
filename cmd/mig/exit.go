package main

import (
	"errors"
)

// Exit codes, in one place. Scripts and CI jobs depend on them.
const (
	exitOK       = 0 // everything asked for was done
	exitFailure  = 1 // any other failure
	exitUsage    = 2 // bad flags or arguments
	exitFindings = 3 // mig check found error-severity findings
	exitAuth     = 4 // WorkOS rejected the API key
	exitPartial  = 5 // an import finished with some rows failed
	// A command stopped by a signal exits 128 plus its number, as a shell
	// reports it: exitInterrupted for Ctrl-C (SIGINT), 143 for SIGTERM
	// (see interrupted in main.go).
	exitInterrupted = 130
)

// codedError lets any stage's error choose its exit code without cmd/mig
// importing a list of sentinels from every package.
type codedError interface{ ExitCode() int }

// usageError marks a mistake in how the command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
func (e usageError) ExitCode() int { return exitUsage }

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int {
	var c codedError
	if errors.As(err, &c) {
		return c.ExitCode()
	}
	return exitFailure
}
