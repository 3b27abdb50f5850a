// Package progress shows on stderr how a long command advances: a bar
// (vbauerster/mpb) when stderr is a terminal, otherwise a plain line every
// few seconds, so that a log or a CI job gets a heartbeat without a screen
// of redraws, and nothing for work that ends before the first line is due.
// The stages do not draw: they report counts through a callback, and
// cmd/mig (or the importer, for its own bars) shows them here.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// IsTerminal reports whether w is a terminal: bars there, lines elsewhere.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// Bars returns a bar container drawing on w, which the caller says is a
// terminal (mpb cannot tell through an io.Writer): 32 columns wide, redrawn
// five times a second.
func Bars(w io.Writer) *mpb.Progress {
	return mpb.New(mpb.WithOutput(w), mpb.ForceAutoRefresh(), mpb.WithWidth(32), mpb.WithRefreshRate(200*time.Millisecond))
}

// LineEvery is how often the plain lines come when w is not a terminal.
// Tests of a whole command shorten it to see the lines of a short run.
var LineEvery = 5 * time.Second

// Task is one piece of counted work shown on w. Its methods may be called
// from any goroutine; a nil *Task shows nothing.
type Task struct {
	label, unit string

	mu      sync.Mutex
	current int64
	total   int64
	lines   int // plain lines written

	w       io.Writer
	started time.Time
	now     func() time.Time

	// A terminal's bar, or the plain lines' ticker.
	bars *mpb.Progress
	bar  *mpb.Bar
	stop chan struct{}
	wg   sync.WaitGroup
}

// Start shows a task of total units (0 when not known yet: see SetTotal)
// on w: a bar when tty, otherwise a line every LineEvery. A nil w shows
// nothing. label names the work ("check"), unit what is counted ("rules").
func Start(w io.Writer, tty bool, label, unit string, total int64) *Task {
	if w == nil {
		return nil
	}
	if tty {
		t := newTask(w, label, unit, total, time.Now)
		t.bars = Bars(w)
		t.bar = t.bars.AddBar(total,
			mpb.PrependDecorators(decor.Name(label, decor.WCSyncSpaceR),
				decor.CountersNoUnit("%d/%d "+unit, decor.WCSyncSpace)),
			mpb.AppendDecorators(decor.Percentage(decor.WCSyncSpace),
				decor.OnComplete(decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace), "")),
		)
		return t
	}
	ticks := time.NewTicker(LineEvery)
	t := startLines(w, label, unit, total, ticks.C, time.Now)
	go func() { <-t.stop; ticks.Stop() }()
	return t
}

func newTask(w io.Writer, label, unit string, total int64, now func() time.Time) *Task {
	return &Task{w: w, label: label, unit: unit, total: total, now: now, started: now(), stop: make(chan struct{})}
}

// startLines shows the task as a line at every tick; tests drive the ticks
// and the clock.
func startLines(w io.Writer, label, unit string, total int64, tick <-chan time.Time, now func() time.Time) *Task {
	t := newTask(w, label, unit, total, now)
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		for {
			select {
			case <-tick:
				t.line(false)
			case <-t.stop:
				return
			}
		}
	}()
	return t
}

// SetTotal says how many units the work has, once it is known.
func (t *Task) SetTotal(n int64) {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.total = n
	t.mu.Unlock()
	if t.bar != nil {
		t.bar.SetTotal(n, false)
	}
}

// SetCurrent says how many units are done.
func (t *Task) SetCurrent(n int64) {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.current = n
	t.mu.Unlock()
	if t.bar != nil {
		t.bar.SetCurrent(n)
	}
}

// Done ends the task: the bar is completed at what was done (a total
// given as an upper bound is brought down to it) and drawn a last time; a
// plain display that wrote any line writes a last one with
// the time taken, and one that wrote none (the work took less than
// LineEvery) writes nothing.
func (t *Task) Done() {
	if t == nil {
		return
	}
	close(t.stop)
	// The work is done: what was done is all there was.
	t.mu.Lock()
	t.total = t.current
	t.mu.Unlock()
	if t.bar != nil {
		t.bar.SetTotal(t.total, true)
		t.bars.Wait()
		return
	}
	t.wg.Wait()
	if t.lines > 0 {
		t.line(true)
	}
}

// line writes "check: 12/29 rules (41%), 10s" and, until the end, the time
// left at the average rate so far.
func (t *Task) line(final bool) {
	t.mu.Lock()
	cur, total := t.current, t.total
	t.lines++
	t.mu.Unlock()
	el := t.now().Sub(t.started)
	s := fmt.Sprintf("%s: %d", t.label, cur)
	if total > 0 {
		s += fmt.Sprintf("/%d %s (%d%%)", total, t.unit, min(100, cur*100/total))
	} else {
		s += " " + t.unit
	}
	if final {
		s += fmt.Sprintf(", done in %s", el.Round(100*time.Millisecond))
	} else {
		s += fmt.Sprintf(", %s", el.Round(time.Second))
		if total > cur && cur > 0 {
			left := time.Duration(float64(el) * float64(total-cur) / float64(cur))
			s += fmt.Sprintf(", about %s left", left.Round(time.Second))
		}
	}
	fmt.Fprintln(t.w, s)
}
