//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package prompt

import (
	"errors"
	"os"
)

// On other systems mig does not know how to turn echo off, so it treats
// the terminal like any input and never shows a prompt that would echo.
func isTerminal(uintptr) bool { return false }

func readNoEcho(*os.File) (string, error) {
	return "", errors.New("reading a password from this terminal is not supported; pipe it on stdin")
}
