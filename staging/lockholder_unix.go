//go:build unix

package staging

import (
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// SQLite's lock bytes in a database file (os_unix.c): the pending byte at
// 1 GiB, the reserved byte after it, then the range of shared locks.
const (
	pendingByte  = 0x40000000
	reservedByte = pendingByte + 1
	sharedFirst  = pendingByte + 2
	sharedSize   = 510
)

func lockHolder(path string) (Holder, bool) {
	f, err := os.Open(path)
	if err != nil {
		return Holder{}, false
	}
	defer f.Close()
	for _, r := range []struct {
		start, len int64
		writing    bool
	}{
		{reservedByte, 1, true},          // the writer
		{pendingByte, 1, true},           // a writer waiting for readers to finish
		{sharedFirst, sharedSize, false}, // readers
	} {
		lk := unix.Flock_t{Type: unix.F_WRLCK, Whence: io.SeekStart, Start: r.start, Len: r.len}
		if err := unix.FcntlFlock(f.Fd(), unix.F_GETLK, &lk); err != nil {
			return Holder{}, false
		}
		if lk.Type != unix.F_UNLCK && lk.Pid > 0 {
			h := Holder{PID: int(lk.Pid), Writing: r.writing}
			h.Args, h.Name = describeProcess(h.PID)
			return h, true
		}
	}
	return Holder{}, false
}

// describeProcess reads a process's command line and executable name from
// /proc, where there is one (Linux); elsewhere it says nothing.
func describeProcess(pid int) (args []string, name string) {
	dir := "/proc/" + strconv.Itoa(pid)
	if b, err := os.ReadFile(dir + "/cmdline"); err == nil {
		args = strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
	}
	if b, err := os.ReadFile(dir + "/comm"); err == nil {
		name = strings.TrimSpace(string(b))
	}
	return args, name
}
