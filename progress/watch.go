package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// State is what a watched piece of work says of itself when asked: the
// phase it is in, how many units it has done (users staged), and how far
// it has come by a measure of its own (bytes of its input read) out of
// that measure's total, 0 when the total is not known. Detail, when set,
// is shown after the count ("12.0 MiB read").
type State struct {
	Phase       string
	Count       int64
	Done, Total int64
	Detail      string
}

// Watch is a display of work that is asked how it stands rather than
// told: work that goes through phases and counts one thing (users) while
// another (bytes read) says how far it has come. Its methods may be
// called from any goroutine; a nil *Watch shows nothing.
type Watch struct {
	label, unit string
	read        func() State

	w       io.Writer
	started time.Time
	now     func() time.Time
	stop    chan struct{}
	wg      sync.WaitGroup

	mu    sync.Mutex
	lines int  // plain lines written
	ended bool // Done was called: the bar shows the time taken

	bars *mpb.Progress
	bar  *mpb.Bar
}

// StartWatch shows on w the work read describes, asking it five times a
// second for a bar when tty, otherwise once every LineEvery for a plain
// line (none for work that ends sooner). A nil w shows nothing. label
// names the work ("ingest"), unit what State.Count counts ("users").
func StartWatch(w io.Writer, tty bool, label, unit string, read func() State) *Watch {
	if w == nil {
		return nil
	}
	x := &Watch{w: w, label: label, unit: unit, read: read, now: time.Now, started: time.Now(), stop: make(chan struct{})}
	if tty {
		x.bars = Bars(w)
		x.bar = x.bars.AddBar(0,
			mpb.PrependDecorators(decor.Any(func(decor.Statistics) string { return x.head(x.read()) }, decor.WCSyncSpaceR)),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return x.tail(x.read()) }, decor.WCSyncSpace)),
		)
		x.every(200*time.Millisecond, func() {
			st := x.read()
			x.bar.SetTotal(st.Total, false)
			x.bar.SetCurrent(st.Done)
		})
		return x
	}
	x.every(LineEvery, func() { x.line(false) })
	return x
}

// every runs fn at every tick of d until Done.
func (x *Watch) every(d time.Duration, fn func()) {
	ticks := time.NewTicker(d)
	x.wg.Add(1)
	go func() {
		defer x.wg.Done()
		defer ticks.Stop()
		for {
			select {
			case <-ticks.C:
				fn()
			case <-x.stop:
				return
			}
		}
	}()
}

// Done ends the display: the bar is drawn a last time, complete, with the
// count and the time taken; a plain display that wrote any line writes a
// last one with them, and one that wrote none writes nothing.
func (x *Watch) Done() {
	if x == nil {
		return
	}
	close(x.stop)
	x.wg.Wait()
	x.mu.Lock()
	x.ended = true
	lines := x.lines
	x.mu.Unlock()
	if x.bar != nil {
		st := x.read()
		x.bar.SetCurrent(st.Done)
		x.bar.SetTotal(-1, true) // what was done is all there was
		x.bars.Wait()
		return
	}
	if lines > 0 {
		x.line(true)
	}
}

// head is the bar's left side: "ingest  staging users  1200 users".
func (x *Watch) head(st State) string {
	parts := []string{x.label}
	x.mu.Lock()
	ended := x.ended
	x.mu.Unlock()
	if st.Phase != "" && !ended {
		parts = append(parts, st.Phase)
	}
	parts = append(parts, fmt.Sprintf("%d %s", st.Count, x.unit))
	if st.Detail != "" && !ended {
		parts = append(parts, st.Detail)
	}
	return strings.Join(parts, "  ")
}

// tail is the bar's right side: the share done and the time left, the
// time so far when the total is not known, the time taken at the end.
func (x *Watch) tail(st State) string {
	el := x.now().Sub(x.started)
	x.mu.Lock()
	ended := x.ended
	x.mu.Unlock()
	switch {
	case ended:
		return fmt.Sprintf("100 %%  done in %s", el.Round(100*time.Millisecond))
	case st.Total > 0:
		s := fmt.Sprintf("%d %%", min(100, st.Done*100/st.Total))
		if left, ok := timeLeft(el, st); ok {
			s += fmt.Sprintf("  about %s left", left.Round(time.Second))
		}
		return s
	}
	return el.Round(time.Second).String()
}

// line writes "ingest: staging users: 1200 users (41%), 10s, about 14s
// left" and at the end "ingest: 3000 users, done in 24.1s".
func (x *Watch) line(final bool) {
	st := x.read()
	x.mu.Lock()
	x.lines++
	x.mu.Unlock()
	el := x.now().Sub(x.started)
	if final {
		fmt.Fprintf(x.w, "%s: %d %s, done in %s\n", x.label, st.Count, x.unit, el.Round(100*time.Millisecond))
		return
	}
	s := x.label + ": "
	if st.Phase != "" {
		s += st.Phase + ": "
	}
	s += fmt.Sprintf("%d %s", st.Count, x.unit)
	if st.Total > 0 {
		s += fmt.Sprintf(" (%d%%)", min(100, st.Done*100/st.Total))
	}
	if st.Detail != "" {
		s += ", " + st.Detail
	}
	s += fmt.Sprintf(", %s", el.Round(time.Second))
	if left, ok := timeLeft(el, st); ok {
		s += fmt.Sprintf(", about %s left", left.Round(time.Second))
	}
	fmt.Fprintln(x.w, s)
}

// timeLeft is the time the measure's rest takes at the average rate so
// far, when there is a rest and a rate.
func timeLeft(el time.Duration, st State) (time.Duration, bool) {
	if st.Total <= st.Done || st.Done <= 0 {
		return 0, false
	}
	return time.Duration(float64(el) * float64(st.Total-st.Done) / float64(st.Done)), true
}
