package importer

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	show "github.com/mig-tools/mig/progress"
)

// progress shows how a run advances: one bar per entity on a terminal, a
// line every few seconds otherwise, nothing without a writer.
type progress interface {
	phase(label string, total int64) phaseProgress
	close()
}

type phaseProgress interface {
	add(result)
	finish()
}

func newProgress(w io.Writer, tty bool) progress {
	switch {
	case w == nil:
		return nopProgress{}
	case tty:
		// The caller says w is a terminal; mpb cannot tell through an io.Writer.
		return &barProgress{p: show.Bars(w)}
	default:
		return &lineProgress{w: w, every: show.LineEvery}
	}
}

type nopProgress struct{}

func (nopProgress) phase(string, int64) phaseProgress { return nopProgress{} }
func (nopProgress) close()                            {}
func (nopProgress) add(result)                        {}
func (nopProgress) finish()                           {}

// counters are one phase's numbers, shared by both displays.
type counters struct {
	total                 int64
	done, failed, skipped atomic.Int64
	adopted, pendingAgain atomic.Int64
	started               time.Time
}

func (c *counters) count(r result) {
	switch r.status {
	case statusDone:
		c.done.Add(1)
		if r.outcome == outcomeAdopted {
			c.adopted.Add(1)
		}
	case statusFailed:
		c.failed.Add(1)
	case statusSkipped:
		c.skipped.Add(1)
	case statusPending:
		c.pendingAgain.Add(1)
	}
}

func (c *counters) finished() int64 {
	return c.done.Load() + c.failed.Load() + c.skipped.Load() + c.pendingAgain.Load()
}

// rateETA is the average rate since the phase started and the time left.
func (c *counters) rateETA() (float64, time.Duration) {
	el := time.Since(c.started).Seconds()
	n := c.finished()
	if el <= 0 || n == 0 {
		return 0, 0
	}
	rate := float64(n) / el
	left := float64(c.total-n) / rate
	return rate, time.Duration(left * float64(time.Second)).Round(time.Second)
}

// --- bars

type barProgress struct{ p *mpb.Progress }

type barPhase struct {
	counters
	bar *mpb.Bar
}

func (b *barProgress) phase(label string, total int64) phaseProgress {
	ph := &barPhase{counters: counters{total: total, started: time.Now()}}
	ph.bar = b.p.AddBar(total,
		mpb.PrependDecorators(decor.Name(label, decor.WCSyncSpaceR), decor.CountersNoUnit("%d/%d", decor.WCSyncSpace)),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			rate, eta := ph.rateETA()
			s := fmt.Sprintf("failed %d  %.1f/s", ph.failed.Load(), rate)
			if eta > 0 {
				s += "  ETA " + eta.String()
			}
			return s
		})),
	)
	return ph
}

func (b *barProgress) close() { b.p.Wait() }

func (ph *barPhase) add(r result) {
	ph.count(r)
	ph.bar.Increment()
}

func (ph *barPhase) finish() {
	// A phase that ends short (interrupted, or rows given back) still
	// completes its bar so Wait returns.
	ph.bar.SetTotal(ph.bar.Current(), true)
}

// --- log lines

type lineProgress struct {
	w     io.Writer
	every time.Duration
	mu    sync.Mutex
}

type linePhase struct {
	counters
	p     *lineProgress
	label string
	stop  chan struct{}
	wg    sync.WaitGroup
}

func (l *lineProgress) phase(label string, total int64) phaseProgress {
	ph := &linePhase{counters: counters{total: total, started: time.Now()}, p: l, label: label, stop: make(chan struct{})}
	ph.wg.Add(1)
	go func() {
		defer ph.wg.Done()
		t := time.NewTicker(l.every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				ph.line("")
			case <-ph.stop:
				return
			}
		}
	}()
	return ph
}

func (l *lineProgress) close() {}

func (ph *linePhase) add(r result) { ph.count(r) }

func (ph *linePhase) line(suffix string) {
	rate, eta := ph.rateETA()
	ph.p.mu.Lock()
	defer ph.p.mu.Unlock()
	fmt.Fprintf(ph.p.w, "import %s: %d/%d, %d failed, %d skipped, %.1f/s", ph.label, ph.finished(), ph.total,
		ph.failed.Load(), ph.skipped.Load(), rate)
	if eta > 0 && suffix == "" {
		fmt.Fprintf(ph.p.w, ", ETA %s", eta)
	}
	fmt.Fprintf(ph.p.w, "%s\n", suffix)
}

func (ph *linePhase) finish() {
	close(ph.stop)
	ph.wg.Wait()
	ph.line(fmt.Sprintf(" (%s)", time.Since(ph.started).Round(100*time.Millisecond)))
}
