package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the display's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// clock is a time the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// waitLines waits until the display's goroutine has written n lines: a
// tick is taken when it is received, and the line written after, so the
// test must not move on before.
func waitLines(out *syncBuffer, n int) {
	for strings.Count(out.String(), "\n") < n {
		time.Sleep(time.Millisecond)
	}
}

// TestLines: off a terminal, each tick writes one line with the count, the
// share done, the time so far and the time left; the end writes the time
// taken.
func TestLines(t *testing.T) {
	var out syncBuffer
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	tick := make(chan time.Time)
	task := startLines(&out, "check", "rules", 0, tick, c.now)
	task.SetTotal(29)
	task.SetCurrent(12)
	c.add(10 * time.Second)
	tick <- time.Time{}
	waitLines(&out, 1)
	task.SetCurrent(29)
	c.add(4500 * time.Millisecond)
	task.Done()
	want := "check: 12/29 rules (41%), 10s, about 14s left\ncheck: 29/29 rules (100%), done in 14.5s\n"
	if got := out.String(); got != want {
		t.Errorf("lines:\n%s\nwant:\n%s", got, want)
	}
}

// TestLinesUnknownTotal: without a total the line counts units alone; the
// last line says all that was done is all there was.
func TestLinesUnknownTotal(t *testing.T) {
	var out syncBuffer
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	tick := make(chan time.Time)
	task := startLines(&out, "emit", "users", 0, tick, c.now)
	task.SetCurrent(4096)
	c.add(5 * time.Second)
	tick <- time.Time{}
	waitLines(&out, 1)
	task.Done()
	want := "emit: 4096 users, 5s\nemit: 4096/4096 users (100%), done in 5s\n"
	if got := out.String(); got != want {
		t.Errorf("lines:\n%s\nwant:\n%s", got, want)
	}
}

// TestNothingForShortWork: work that ends before the first line is due
// writes nothing at all, and a nil writer shows nothing.
func TestNothingForShortWork(t *testing.T) {
	var out syncBuffer
	task := Start(&out, false, "check", "rules", 29)
	task.SetCurrent(29)
	task.Done()
	if got := out.String(); got != "" {
		t.Errorf("a short task wrote %q", got)
	}
	var none *Task = Start(nil, true, "check", "rules", 1)
	none.SetTotal(2)
	none.SetCurrent(1)
	none.Done()
}

// TestBar: on a terminal the bar ends drawn complete, with the count and
// the unit.
func TestBar(t *testing.T) {
	var out syncBuffer
	task := Start(&out, true, "check", "rules", 0)
	task.SetTotal(29)
	task.SetCurrent(29)
	task.Done()
	if got := out.String(); !bytes.Contains([]byte(got), []byte("29/29 rules")) || !bytes.Contains([]byte(got), []byte("100 %")) {
		t.Errorf("the bar's last frame lacks the count or 100 %%: %q", got)
	}
}

// TestWatchLines: off a terminal, a watched task's line names its phase,
// its count, the share of its measure done and the time left; without a
// total, the count and the time so far; the end, the count and the time
// taken.
func TestWatchLines(t *testing.T) {
	var out syncBuffer
	c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	st := State{Phase: "staging users", Count: 1200, Done: 41, Total: 100}
	x := &Watch{w: &out, label: "ingest", unit: "users", read: func() State { return st }, now: c.now, started: c.now(), stop: make(chan struct{})}
	c.add(10 * time.Second)
	x.line(false)
	st = State{Phase: "fetching users", Count: 5000}
	c.add(5 * time.Second)
	x.line(false)
	st.Detail = "3.0 MiB read"
	x.line(false)
	c.add(1500 * time.Millisecond)
	x.Done()
	want := "ingest: staging users: 1200 users (41%), 10s, about 14s left\ningest: fetching users: 5000 users, 15s\n" +
		"ingest: fetching users: 5000 users, 3.0 MiB read, 15s\ningest: 5000 users, done in 16.5s\n"
	if got := out.String(); got != want {
		t.Errorf("lines:\n%s\nwant:\n%s", got, want)
	}
}

// TestWatchShortAndBar: a watched task that ends before its first line
// writes nothing; on a terminal its bar ends complete with the count.
func TestWatchShortAndBar(t *testing.T) {
	read := func() State { return State{Phase: "staging users", Count: 50, Done: 700, Total: 700} }
	var out syncBuffer
	StartWatch(&out, false, "ingest", "users", read).Done()
	if got := out.String(); got != "" {
		t.Errorf("a short task wrote %q", got)
	}
	StartWatch(&out, true, "ingest", "users", read).Done()
	if got := out.String(); !strings.Contains(got, "50 users") || !strings.Contains(got, "100 %") {
		t.Errorf("the bar's last frame lacks the count or 100 %%: %q", got)
	}
	var none *Watch = StartWatch(nil, true, "ingest", "users", read)
	none.Done()
}
