package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// This file holds the users side of record digests (digests.go): the
// source hands each record to Unchanged before decoding it; a record the
// last run read exactly so is matched and costs nothing more, every other
// one is decoded and staged as before, and its digest recorded with the
// user it made.

// Unchanged reports whether the run already staged the record exactly as
// decoding it again would stage it, in which case the source hands over
// nothing for it and goes on to the next. rec is the record as c read it
// (line its line in file). Call it before decoding each record of a users
// file; a source that never calls it is decoded in full on every run. A
// sink that is not a run's (a test's) always says no.
func Unchanged(ctx context.Context, sink Sink, c *CSVReader, file string, line int, rec []string) (bool, error) {
	rs, ok := sink.(recordSink)
	if !ok {
		return false, nil
	}
	return rs.record(ctx, file, c.header, line, rec)
}

// recordSink is the part of a run's sink that takes records.
type recordSink interface {
	record(ctx context.Context, file string, header []string, line int, rec []string) (bool, error)
}

// sinkDigests is the decoder's side of the run's users digests: the
// digests of the records handed to Unchanged, and the last run's set they
// are matched against.
type sinkDigests struct {
	context string
	of      map[string]*digester // by file
	match   *digestMatcher       // nil: the last run's set is not trusted
	pending *pendingRecord       // the record being decoded
}

// pendingRecord is a record Unchanged did not match, until the source
// hands over what it made.
type pendingRecord struct {
	d      recordDigest
	warned bool
}

// matchedRecord is a record that matched the last run's: its digest and
// the user it made.
type matchedRecord struct {
	d  recordDigest
	id int64
}

// record is Unchanged: it digests the record and matches it against the
// last run's set.
func (s *batchSink) record(_ context.Context, file string, header []string, _ int, rec []string) (bool, error) {
	sd := s.digests
	if sd == nil {
		return false, nil
	}
	dg := sd.of[file]
	if dg == nil {
		dg = newDigester(sd.context, header)
		sd.of[file] = dg
	}
	d := dg.sum(rec)
	sd.pending = nil
	if sd.match != nil {
		ref, gone, ok, err := sd.match.match(d)
		if err != nil {
			return false, err
		}
		if err := s.gone(gone); err != nil {
			return false, err
		}
		if ok {
			return true, s.addMatched(matchedRecord{d: d, id: refUser(ref)})
		}
	}
	sd.pending = &pendingRecord{d: d}
	return false, nil
}

// give gives u the digest of the record it was decoded from.
func (sd *sinkDigests) give(u *User) {
	if sd == nil || sd.pending == nil {
		return
	}
	u.digest, u.digested = sd.pending.d, true
	if sd.pending.warned {
		u.digest = noDigest
	}
	sd.pending = nil
}

// warned notes a warning about the record being decoded: only decoding it
// again writes the warning again, so it gets no digest.
func (sd *sinkDigests) warned() {
	if sd != nil && sd.pending != nil {
		sd.pending.warned = true
	}
}

// skipped notes that the record being decoded made no user.
func (sd *sinkDigests) skipped() {
	if sd != nil {
		sd.pending = nil
	}
}

// gone hands the run the refs of users whose records did not match.
func (s *batchSink) gone(refs []string) error {
	if len(refs) == 0 {
		return nil
	}
	refs = slices.Clone(refs)
	return s.add(func(ctx context.Context, r *Run, _ *streamed) error { return r.goneUsers(ctx, refs) })
}

// endRecords hands over the users of the last run's set that no record
// matched, at the end of the decode.
func (s *batchSink) endRecords() error {
	if s.digests == nil || s.digests.match == nil {
		return nil
	}
	var refs []string
	err := s.digests.match.rest(func(ref string) error {
		refs = append(refs, ref)
		if len(refs) < feedBatch {
			return nil
		}
		err := s.gone(refs)
		refs = refs[:0]
		return err
	})
	if err != nil {
		return err
	}
	return s.gone(refs)
}

// usersDigests is a run's state of its users' record digests.
type usersDigests struct {
	context string
	writer  *digestWriter // the set this run records
	// last is the set of the source's last run, when it can be trusted
	// (trust): the decoder reads it (matcher) as it reads the file, and
	// the missing users are found from the gone ones (temp.users_gone).
	last  digestSet
	trust bool
	// matched and decoded are the ids of the users staged before that a
	// record matched, or that a record decoded again named: a user in
	// both was named by two records, which only a full decode tells apart.
	matched, decoded idBits
	gone             []int64 // ids handed back as gone, not yet in temp.users_gone
	// slots is the place in the new set of each decoded record whose
	// user gets its id when its batch is written, by source id.
	slots           map[string]int
	nMatched, nGone int // for the debug log
}

// errRecordsConflict stops a run in which a matched record and a decoded
// one name the same user: the export repeats an id, and which line is
// staged and which skipped depends on the order of the two. Ingest runs
// again decoding every record.
var errRecordsConflict = errors.New("two records of the export name the same user")

// openUserDigests prepares the run's set of users digests and, for a
// re-ingest, decides whether the last run's set can be trusted: same
// context, as many records as the source has users that are not missing,
// no input read from a private copy (a restart could not read it again).
func (r *Run) openUserDigests(ctx context.Context) error {
	u := &r.users
	u.context = digestContext("users", r.options)
	u.writer = r.writeDigests("users")
	u.slots = map[string]int{}
	if r.bulk || r.delta.feed == nil || r.settings.noDigests {
		return nil
	}
	for _, f := range r.files {
		if f.spool != "" {
			return nil
		}
	}
	var err error
	u.last, u.trust, err = r.lastDigests(ctx, "users", u.context, r.delta.before)
	if err != nil || !u.trust {
		return err
	}
	_, err = r.tx.ExecContext(ctx, `CREATE TEMP TABLE users_gone (id INTEGER PRIMARY KEY)`)
	return err
}

// recordDigest gives u's record digest to the set: a user staged in
// bulk has its id now; a re-ingest's user gets it when its batch is
// written (fillDigests). A user handed over without a digest (a source
// that does not call Unchanged, or a user after the users phase) turns the
// set off: it could not name every user.
func (r *Run) recordDigest(ctx context.Context, u *User, id int64) error {
	w := r.users.writer
	switch {
	case w == nil || w.off:
		return nil
	case !u.digested:
		w.off = true
		return nil
	case id > 0:
		return w.add(ctx, u.digest, userRef(id))
	}
	r.users.slots[u.SourceID] = w.addHole(u.digest)
	return nil
}

// matchedUsers is what the writer does for records that matched: each
// user counts as staged and unchanged, and keeps its place in the new set.
func (r *Run) matchedUsers(ctx context.Context, run []matchedRecord) error {
	u := &r.users
	for _, m := range run {
		if u.decoded.has(m.id) {
			return errRecordsConflict
		}
		u.matched.set(m.id)
		r.settings.Progress.addUser()
		if err := u.writer.add(ctx, m.d, userRef(m.id)); err != nil {
			return err
		}
	}
	r.staged += len(run)
	r.delta.staged += len(run)
	u.nMatched += len(run)
	if u.writer.waiting() > digestWindow {
		// The set's blocks wait for a batch of decoded users: write it.
		return r.flushDelta(ctx)
	}
	return nil
}

// goneUsers takes the ids of users whose records were not matched: they
// are missing unless a decoded record named them. They are kept until the
// users phase ends (8 bytes each, up to goneKept), when the decoded ones
// are known and left out: most gone users were decoded again (they
// changed, or their record warns), and looking each up in the wide users
// table cost most of a second at a million users.
func (r *Run) goneUsers(ctx context.Context, refs []string) error {
	u := &r.users
	for _, ref := range refs {
		u.gone = append(u.gone, refUser(ref))
	}
	u.nGone += len(refs)
	if len(u.gone) < goneKept {
		return nil
	}
	return r.flushGone(ctx)
}

// goneKept bounds the gone users kept in memory: 8 MB.
const goneKept = 1 << 20

// flushGone writes the gone users that no decoded record named so far to
// temp.users_gone.
func (r *Run) flushGone(ctx context.Context) error {
	u := &r.users
	kept := u.gone[:0]
	for _, id := range u.gone {
		if !u.decoded.has(id) {
			kept = append(kept, id)
		}
	}
	u.gone = kept
	if len(u.gone) == 0 {
		return nil
	}
	ids, _ := json.Marshal(u.gone)
	u.gone = u.gone[:0]
	_, err := r.tx.ExecContext(ctx, `INSERT OR IGNORE INTO temp.users_gone (id) SELECT value FROM json_each(?)`, string(ids))
	return err
}

// decodedUser notes a user staged before that a decoded record named
// (the source's user id, and whether it was missing), and gives the
// record's entry in the set its id.
func (r *Run) decodedUser(sourceID string, id int64, wasMissing bool) error {
	u := &r.users
	if !wasMissing {
		if u.matched.has(id) {
			return errRecordsConflict
		}
		u.decoded.set(id)
	}
	r.fillDigest(sourceID, id)
	return nil
}

// fillDigest gives the entry of the decoded record of sourceID its id.
func (r *Run) fillDigest(sourceID string, id int64) {
	u := &r.users
	if slot, ok := u.slots[sourceID]; ok {
		u.writer.fill(slot, userRef(id))
		delete(u.slots, sourceID)
	}
}

// finishUserDigests records the run's set, or removes the source's when
// the run could not record a whole one.
func (r *Run) finishUserDigests(ctx context.Context) error {
	u := &r.users
	if u.writer == nil {
		return nil
	}
	if r.kit.withoutUsers || r.settings.supplement {
		return nil
	}
	if len(u.slots) > 0 && !u.writer.off {
		return fmt.Errorf("record digests: %d users have no id", len(u.slots))
	}
	if r.Log != nil {
		r.Log.Debug("record digests", "trusted", u.trust, "matched", u.nMatched, "gone", u.nGone,
			"recorded", !u.writer.off)
	}
	if err := u.writer.finish(ctx, u.context); err != nil {
		return err
	}
	if u.trust {
		_, err := r.tx.ExecContext(ctx, `DROP TABLE temp.users_gone`)
		return err
	}
	return nil
}
