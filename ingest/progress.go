package ingest

import (
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// Progress is how far an ingest has come, for a display to show while it
// runs (cmd/mig draws it with package progress): the phase the run is in,
// the users handed over, and the bytes of the input files read out of
// their size. The run writes it and any goroutine may read it
// (Snapshot); a nil *Progress records nothing. Settings.Progress hands it
// to a run and to the spool of an API fetch.
type Progress struct {
	phase atomic.Pointer[string]
	users atomic.Int64
	size  atomic.Int64

	mu sync.Mutex
	// reads holds, per input path, the bytes read by each reader opened
	// on it: a file read twice (a WorkOS users file, for its
	// memberships) counts once, as far as the furthest read went.
	reads map[string][]*atomic.Int64
}

// The phases of an ingest, in the order they come; the display shows them
// so that the user is never left looking at silence.
const (
	PhaseStarting     = "opening the staging database"
	PhaseCopying      = "copying standard input"
	PhaseComparing    = "comparing the files with the last run's"
	PhaseFetching     = "fetching users"
	PhaseUsers        = "staging users"
	PhaseIndexes      = "building indexes"
	PhaseAfterUsers   = "reading the files again"
	PhaseDefinitions  = "replacing roles and connections"
	PhaseOrgMapping   = "reading the org mapping"
	PhaseMemberships  = "staging memberships"
	PhaseRoleMapping  = "reading the role mapping"
	PhaseRoles        = "staging role assignments"
	PhaseBeforeCommit = "staging the last files"
	PhaseCommit       = "committing"
)

// ProgressSnapshot is a Progress read at one moment.
type ProgressSnapshot struct {
	Phase string
	// Users are the users fetched (PhaseFetching) or staged so far.
	Users int64
	// Read is the bytes of the input files read in this phase, out of
	// Size (0 when not known: standard input still being copied, an
	// API).
	Read, Size int64
}

// Snapshot reads p.
func (p *Progress) Snapshot() ProgressSnapshot {
	if p == nil {
		return ProgressSnapshot{}
	}
	s := ProgressSnapshot{Phase: PhaseStarting, Users: p.users.Load(), Size: p.size.Load()}
	if ph := p.phase.Load(); ph != nil {
		s.Phase = *ph
	}
	p.mu.Lock()
	for _, rs := range p.reads {
		var most int64
		for _, r := range rs {
			most = max(most, r.Load())
		}
		s.Read += most
	}
	p.mu.Unlock()
	return s
}

// begin starts a phase that counts from nothing: its users and bytes read,
// out of size bytes (0 when not known).
func (p *Progress) begin(phase string, size int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.reads = nil
	p.mu.Unlock()
	p.users.Store(0)
	p.size.Store(size)
	p.setPhase(phase)
}

// setPhase names the phase the run is in, keeping the counts.
func (p *Progress) setPhase(phase string) {
	if p != nil {
		p.phase.Store(&phase)
	}
}

// addUser counts one user handed over.
func (p *Progress) addUser() {
	if p != nil {
		p.users.Add(1)
	}
}

// counter returns the count of bytes of a new reader of path.
func (p *Progress) counter(path string) *atomic.Int64 {
	n := new(atomic.Int64)
	if p == nil {
		return n
	}
	p.mu.Lock()
	if p.reads == nil {
		p.reads = map[string][]*atomic.Int64{}
	}
	p.reads[path] = append(p.reads[path], n)
	p.mu.Unlock()
	return n
}

// reader counts the bytes read through r as read of path.
func (p *Progress) reader(path string, r io.Reader) io.Reader {
	if p == nil {
		return r
	}
	return readCounter{r, p.counter(path)}
}

type readCounter struct {
	r io.Reader
	n *atomic.Int64
}

func (c readCounter) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// inputSize is the bytes of the source's own input files (not the mapping
// files, which the run reads after the users): the private copy's size
// for an input copied from standard input or a pipe, else the file's.
func inputSize(files []*File) int64 {
	var n int64
	for _, f := range files {
		if f.spool != "" {
			n += f.size
		} else if st, err := os.Stat(f.Path); err == nil {
			n += st.Size()
		}
	}
	return n
}
