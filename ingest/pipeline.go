package ingest

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"os"
	"runtime/debug"
	"slices"
	"time"

	"github.com/mig-tools/mig/staging"
)

// A Decoder reads a source's records (a file, an export download, API
// pages) and hands each one to sink. The kit runs it on a goroutine of its
// own while the run writes what it handed over, a batch at a time: on two
// cores the database writes are the bottleneck, and the decoding of the
// next batch overlaps them. A record handed over belongs to the kit: the
// decoder must not change it afterwards. sink's methods return an error
// once the run has failed or ctx is done; the decoder returns it.
//
// A decoder checks nothing the run checks (duplicate ids, unknown users in
// mapping lines) and writes nothing itself; it reports bad input as a
// *LineError (FILE:LINE) or *ElementError and returns.
type Decoder func(ctx context.Context, in Inputs, sink DefinitionSink) error

// Inputs opens the run's input files for a decoder: the private copy of an
// input that could be read only once (standard input, a pipe), within the
// run's limits (--max-field-bytes). The caller closes the file. *Run is
// the Inputs a decoder gets; tests may give it their own.
type Inputs interface {
	Open(path string) (*os.File, error)
	OpenCSV(path string) (*os.File, *CSVReader, error)
	OpenNDJSON(path string) (*os.File, *NDJSONReader, error)
	OpenJSONArray(path, key string) (*os.File, *JSONArrayReader, error)
}

var _ Inputs = (*Run)(nil)

// Kind is a kind of record a run may state in full (see Spec.Complete).
type Kind string

// The kinds of record whose earlier rows a run replaces when it states
// them: what an earlier run of the source staged and this one does not
// hand over is removed (or, once in WorkOS, kept with a warning).
const (
	Memberships     Kind = "memberships"      // org-mapping lines
	RoleAssignments Kind = "role_assignments" // role-mapping lines
	RoleDefinitions Kind = "role_definitions"
	SSOConnections  Kind = "sso_connections"
)

// Spec is one ingest of a source, everything Ingest needs. A source
// package builds it from its options; cmd/mig calls the source's Ingest.
type Spec struct {
	Source Source
	// Files are the run's input files, the users file first with role
	// "users"; Ingest adds the mapping files. An API source has none.
	Files []*File
	// Options are what the run is compared by (re-running with the same
	// options and files does nothing): every option that changes what is
	// staged, and never a secret. Ingest adds org_mapping and role_mapping
	// (whether each file is given) for a source that takes mapping files
	// (Mappings.UserColumns), and include_secrets when it is set.
	Options  map[string]any
	Settings Settings
	Mappings Mappings
	// IncludeSecrets stages SSO secrets (client secrets, private keys);
	// without it AddSSOConnection drops them with a warning.
	IncludeSecrets bool
	// Spool, when set, holds what an API fetch handed over: it is replayed
	// into the run first, and deleted when the run commits.
	Spool *Spool
	// Fetches says the decoder also reads an API (a file source's opt-in
	// SSO connections), whose data changes by itself: the run is never
	// the same as the last one, even with the same files and options.
	Fetches bool
	// Decode hands over the source's records (nil when Spool holds them
	// all).
	Decode Decoder
	// AfterUsers, when set, runs after the users phase (the users' indexes
	// are built) and before the mapping files are read: for a source that
	// reads its file a second time against what was staged.
	AfterUsers func(ctx context.Context, run *Run) error
	// BeforeCommit, when set, runs after the mapping lines became
	// memberships and role assignments, last before the run commits: for
	// files of a source that name staged users (TOTP secrets).
	BeforeCommit func(ctx context.Context, run *Run) error
	// Complete lists what this ingest states in full even when it hands
	// over none of it. Memberships and role assignments are also replaced
	// when a mapping file is given or the decoder handed over mapping
	// lines; role definitions and SSO connections when it handed over any.
	Complete []Kind
	// WithoutUsers says the ingest hands over no users (an API source asked
	// for its organizations or connections only): the users staged before
	// are left as they are, none is marked missing.
	WithoutUsers bool
	// Log gets debug timings of the phases; nil discards them.
	Log *slog.Logger
}

// Ingest runs one ingest of a source in one transaction: the spool is
// replayed and the decoder streamed into the run, the users phase ends
// (indexes built, repeated ids skipped), AfterUsers runs, records the run
// states in full replace the earlier ones, the mapping files are read,
// mapping lines become memberships and role assignments, BeforeCommit runs,
// and the run commits. Any error rolls everything back. Ingesting the same
// files with the same options again returns ErrUnchanged; a source without
// files (an API) is read again every time.
func Ingest(ctx context.Context, db *staging.DB, s Spec) (Counts, error) {
	c, err := ingest(ctx, db, s)
	if errors.Is(err, errRecordsConflict) {
		// The export repeats a user's id on a record that matched the last
		// run's and on one that did not: only decoding every record says
		// which line is staged and which skipped.
		if s.Log != nil {
			s.Log.Debug("ingest again decoding every record", "why", err)
		}
		s.Settings.noDigests = true
		c, err = ingest(ctx, db, s)
	}
	return c, err
}

func ingest(ctx context.Context, db *staging.DB, s Spec) (Counts, error) {
	files := slices.Clone(s.Files)
	if s.Mappings.OrgMapping != "" {
		files = append(files, &File{Role: "org_mapping", Path: s.Mappings.OrgMapping})
	}
	if s.Mappings.RoleMapping != "" {
		files = append(files, &File{Role: "role_mapping", Path: s.Mappings.RoleMapping})
	}
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	set := s.Settings
	if set.Log == nil {
		set.Log = s.Log
	}
	set.fetches = s.Fetches
	set.withoutUsers = s.WithoutUsers
	run, err := BeginWith(ctx, db, s.Source, files, runOptions(s), set)
	if err != nil {
		return Counts{}, err
	}
	defer run.Rollback()
	run.Log = log
	run.kit.includeSecrets = s.IncludeSecrets
	run.kit.withoutUsers = s.WithoutUsers
	start := time.Now()
	phase := func(name string) {
		log.Debug("ingest phase done", "phase", name, "elapsed", time.Since(start).Round(time.Millisecond))
	}
	// What the display shows, phase by phase.
	prog := set.Progress
	prog.begin(PhaseUsers, inputSize(s.Files))
	st, err := run.stream(ctx, s.Spool, s.Decode)
	if err != nil {
		return Counts{}, err
	}
	run.Counts.Rows = st.rows
	run.SetRows("users", st.rows)
	// The Go heap the decoding grew goes back to the system before the
	// users' indexes are built, SQLite's largest use of memory (outside
	// the Go heap, so it never starts a collection itself).
	debug.FreeOSMemory()
	prog.setPhase(PhaseIndexes)
	if err := run.UsersDone(ctx); err != nil {
		return Counts{}, err
	}
	phase("users")
	if s.AfterUsers != nil {
		prog.setPhase(PhaseAfterUsers)
		if err := s.AfterUsers(ctx, run); err != nil {
			return Counts{}, err
		}
	}
	// Every user is handed over now: the missing ones are known before the
	// mapping files, whose lines naming them warn.
	if err := run.MarkMissing(ctx); err != nil {
		return Counts{}, err
	}
	phase("missing users")
	complete := func(k Kind) bool { return slices.Contains(s.Complete, k) }
	prog.setPhase(PhaseDefinitions)
	if st.roleDefs > 0 || complete(RoleDefinitions) {
		if err := RemoveStaleRoles(ctx, run); err != nil {
			return Counts{}, err
		}
	}
	if st.conns > 0 || complete(SSOConnections) {
		if err := RemoveStaleConnections(ctx, run); err != nil {
			return Counts{}, err
		}
	}
	cols := s.Mappings.UserColumns
	// A re-ingest applies a mapping file by difference when the file gives
	// all of that mapping's lines (the decoder handed over none, and nothing
	// cleared the source's earlier lines), and not at all when it would
	// make what the last run made (Run.sameMapping).
	var sameOrgs, sameRoles bool
	if p := s.Mappings.OrgMapping; p != "" {
		prog.setPhase(PhaseOrgMapping)
		if st.orgRows == 0 && !run.kit.orgCleared {
			if sameOrgs, err = run.sameMapping(ctx, "org_mapping", p, cols); err != nil {
				return Counts{}, err
			}
			if !sameOrgs {
				if err := run.diffMapping(ctx, "org"); err != nil {
					return Counts{}, err
				}
			}
		}
		if !sameOrgs {
			if _, err := run.StageOrgMapping(ctx, p, cols); err != nil {
				return Counts{}, err
			}
		}
	}
	if !sameOrgs && (s.Mappings.OrgMapping != "" || st.orgRows > 0 || complete(Memberships)) {
		prog.setPhase(PhaseMemberships)
		if err := run.ClearOrgMapping(ctx); err != nil {
			return Counts{}, err
		}
		if err := run.ApplyOrgMapping(ctx); err != nil {
			return Counts{}, err
		}
		phase("org mapping")
	}
	if p := s.Mappings.RoleMapping; p != "" {
		prog.setPhase(PhaseRoleMapping)
		if st.roleRows == 0 && !run.kit.roleCleared {
			if sameRoles, err = run.sameMapping(ctx, "role_mapping", p, cols, "role_slug"); err != nil {
				return Counts{}, err
			}
			if !sameRoles {
				if err := run.diffMapping(ctx, "role"); err != nil {
					return Counts{}, err
				}
			}
		}
		if !sameRoles {
			if _, err := run.StageRoleMapping(ctx, p, cols); err != nil {
				return Counts{}, err
			}
		}
	}
	if !sameRoles && (s.Mappings.RoleMapping != "" || st.roleRows > 0 || complete(RoleAssignments)) {
		prog.setPhase(PhaseRoles)
		if err := run.ClearRoleMapping(ctx); err != nil {
			return Counts{}, err
		}
		if err := run.ApplyRoleMapping(ctx); err != nil {
			return Counts{}, err
		}
		phase("role mapping")
	}
	if s.BeforeCommit != nil {
		prog.setPhase(PhaseBeforeCommit)
		if err := s.BeforeCommit(ctx, run); err != nil {
			return Counts{}, err
		}
	}
	if s.Spool != nil {
		if err := s.Spool.deleteIn(ctx, run); err != nil {
			return Counts{}, err
		}
	}
	prog.setPhase(PhaseCommit)
	c, err := run.Commit(ctx)
	phase("commit")
	return c, err
}

// runOptions are the options a run of s records, and its spool is keyed
// by: the source's own, whether each mapping file is given, and whether
// secrets are staged.
func runOptions(s Spec) map[string]any {
	opts := maps.Clone(s.Options)
	if opts == nil {
		opts = map[string]any{}
	}
	if len(s.Mappings.UserColumns) > 0 {
		opts["org_mapping"] = s.Mappings.OrgMapping != ""
		opts["role_mapping"] = s.Mappings.RoleMapping != ""
	}
	if s.IncludeSecrets {
		opts["include_secrets"] = true
	}
	return opts
}

// streamed counts what a stream handed over.
type streamed struct {
	rows                                     int // users and skipped rows
	orgRows, roleRows, orgs, roleDefs, conns int
}

// op is one record handed over, to be written by the run.
type op func(ctx context.Context, r *Run, st *streamed) error

// batch is the records of a run of source rows.
type batch struct {
	ops []op
	// matched counts the records of the batch that matched the last run's
	// (userdigests.go): they go in runs, one op each, and cost the writer
	// next to nothing, so a batch holds many of them.
	matched int
	run     *[]matchedRecord // the run the next matched record joins
}

// batchMatched is how many matched records a batch holds before it is
// handed to the writer: the decoder runs that far ahead of a writer busy
// with the users that changed.
const batchMatched = 1 << 16

// batchOps is how many records a batch holds before it is handed to the
// writer: small enough that the decoder runs at most a few batches ahead,
// large enough that the hand-over costs nothing next to the writes.
const batchOps = 512

// stream replays sp and runs decode on a goroutine of its own, writing what
// they hand over as it comes.
func (r *Run) stream(ctx context.Context, sp *Spool, decode Decoder) (*streamed, error) {
	st := &streamed{}
	if sp != nil {
		if err := sp.replay(ctx, r, st); err != nil {
			return st, err
		}
	}
	if decode == nil {
		return st, nil
	}
	batches := make(chan *batch, 4)
	pctx, stopDecoding := context.WithCancel(ctx)
	defer stopDecoding()
	var decodeErr error
	s := &batchSink{ctx: pctx, out: batches, cur: &batch{}}
	if u := &r.users; u.writer != nil {
		s.digests = &sinkDigests{context: u.context, of: map[string]*digester{}}
		if u.trust {
			s.digests.match = newDigestMatcher(prefetchDigests(pctx, r.readDigests(u.last)))
		}
	}
	go func() {
		defer close(batches)
		if decodeErr = decode(pctx, r, s); decodeErr == nil {
			decodeErr = s.endRecords()
		}
		if decodeErr == nil {
			decodeErr = s.send()
		}
	}()
	var writeErr error
	for b := range batches {
		if writeErr != nil {
			continue // drain until the decoder sees it is stopped
		}
		for _, o := range b.ops {
			if writeErr = o(ctx, r, st); writeErr != nil {
				stopDecoding()
				break
			}
		}
	}
	if writeErr != nil {
		return st, writeErr
	}
	return st, decodeErr
}

// batchSink is the DefinitionSink a decoder writes to: it records each
// record as an op and hands full batches to the writer.
type batchSink struct {
	ctx     context.Context
	out     chan<- *batch
	cur     *batch
	digests *sinkDigests // nil: the run records no digests
}

func (s *batchSink) add(o op) error {
	s.cur.ops = append(s.cur.ops, o)
	s.cur.run = nil
	if len(s.cur.ops) < batchOps {
		return nil
	}
	return s.send()
}

// addMatched hands over a record that matched the last run's, joining the
// run of matched records the batch ends with.
func (s *batchSink) addMatched(m matchedRecord) error {
	b := s.cur
	if b.run == nil {
		run := make([]matchedRecord, 0, 64)
		b.run = &run
		b.ops = append(b.ops, func(ctx context.Context, r *Run, st *streamed) error {
			st.rows += len(run)
			return r.matchedUsers(ctx, run)
		})
	}
	*b.run = append(*b.run, m)
	// The op above reads run when the writer runs it, after the batch is
	// sent: it sees every record appended.
	b.matched++
	if b.matched < batchMatched && len(b.ops) < batchOps {
		return nil
	}
	return s.send()
}

// send hands the current batch to the writer, unless the run has stopped.
func (s *batchSink) send() error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	if len(s.cur.ops) == 0 {
		return nil
	}
	select {
	case s.out <- s.cur:
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
	s.cur = &batch{ops: make([]op, 0, batchOps)}
	return nil
}

// AddUser encodes u's JSON columns and content hash here, on the decoder's
// goroutine, so that the writer only writes.
func (s *batchSink) AddUser(_ context.Context, file string, u *User) error {
	if err := u.Encode(); err != nil {
		return err
	}
	s.digests.give(u)
	return s.add(func(ctx context.Context, r *Run, st *streamed) error {
		st.rows++
		r.settings.Progress.addUser()
		return r.AddUser(ctx, file, u)
	})
}

func (s *batchSink) Skip(_ context.Context, file string, row int, sourceID, email, reason string, raw any) error {
	s.digests.skipped()
	return s.add(func(ctx context.Context, r *Run, st *streamed) error {
		st.rows++
		return r.Skip(ctx, file, row, sourceID, email, reason, raw)
	})
}

func (s *batchSink) Warn(_ context.Context, w Warning) error {
	s.digests.warned()
	return s.add(func(ctx context.Context, r *Run, _ *streamed) error { return r.Warn(ctx, w) })
}

func (s *batchSink) AddOrgMappingRow(_ context.Context, file string, m OrgMappingRow) error {
	return s.add(func(ctx context.Context, r *Run, st *streamed) error { return st.addOrgRow(ctx, r, file, m) })
}

func (s *batchSink) AddRoleMappingRow(_ context.Context, file string, m RoleMappingRow) error {
	return s.add(func(ctx context.Context, r *Run, st *streamed) error { return st.addRoleRow(ctx, r, file, m) })
}

func (s *batchSink) AddOrganization(_ context.Context, file string, o Organization) error {
	return s.add(func(ctx context.Context, r *Run, st *streamed) error { return st.addOrganization(ctx, r, file, o) })
}

func (s *batchSink) AddRoleDefinition(_ context.Context, file string, d RoleDefinition) error {
	return s.add(func(ctx context.Context, r *Run, st *streamed) error { return st.addRoleDefinition(ctx, r, file, d) })
}

func (s *batchSink) AddSSOConnection(_ context.Context, file string, c SSOConnection) error {
	return s.add(func(ctx context.Context, r *Run, st *streamed) error { return st.addSSOConnection(ctx, r, file, c) })
}

// addOrgRow stages a mapping line a source handed over, clearing the
// source's earlier lines before its first one.
func (st *streamed) addOrgRow(ctx context.Context, r *Run, file string, m OrgMappingRow) error {
	if !r.kit.orgCleared {
		if err := r.ClearOrgMapping(ctx); err != nil {
			return err
		}
	}
	st.orgRows++
	return r.AddOrgMappingRow(ctx, file, m)
}

func (st *streamed) addRoleRow(ctx context.Context, r *Run, file string, m RoleMappingRow) error {
	if !r.kit.roleCleared {
		if err := r.ClearRoleMapping(ctx); err != nil {
			return err
		}
	}
	st.roleRows++
	return r.AddRoleMappingRow(ctx, file, m)
}

func (st *streamed) addOrganization(ctx context.Context, r *Run, file string, o Organization) error {
	st.orgs++
	return r.AddOrganization(ctx, file, o)
}

func (st *streamed) addRoleDefinition(ctx context.Context, r *Run, file string, d RoleDefinition) error {
	st.roleDefs++
	return r.AddRoleDefinition(ctx, file, d)
}

func (st *streamed) addSSOConnection(ctx context.Context, r *Run, file string, c SSOConnection) error {
	st.conns++
	return r.AddSSOConnection(ctx, file, c)
}

var _ DefinitionSink = (*batchSink)(nil)
