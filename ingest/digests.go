package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/mig-tools/mig/sqlqueries"
)

// This file holds the record digests of a re-ingest: how a run passes over
// the records of a newer export that are exactly as the last run read them
// without decoding or writing them, so that a re-ingest where 1% of a
// million users changed costs about what reading the files costs.
//
// A run records, for its users file and each mapping file, the digest of
// every record in file order, with what the record made: the user's id, or
// the mapping line's user (tables ingest_digest_sets and
// ingest_digest_blocks, migration 00016). The next run reads that sequence
// alongside the new file. A record whose digest is the next ones' of the
// sequence (within a window, so that added and removed records do not lose
// the place) made what it made last time, and nothing is done for it; the
// records the window passes over without a match are "gone" and handed to
// the run, which treats their users as a record it did not see (missing,
// unless another line of the file named them). Every other record is
// decoded and staged as before.
//
// A digest covers the record's fields, the file's header, the run's
// options and mig's build, so a new option or another mig decodes every
// record again. A record that made a warning is recorded with no digest
// (it never matches): its warning is written again only by decoding it.

// recordDigest is the digest of one record: the first 16 bytes of a
// SHA-256. Two records of one user differ and share a digest with a chance
// of 2^-128.
type recordDigest [16]byte

// noDigest is the digest of a record that must be decoded again whatever
// the next file has: it never matches.
var noDigest recordDigest

// digestBlock is how many records a block of a set holds: 4,096 records
// are about 80 KB for users (a digest and an id) and 200 KB for mapping
// lines (a digest and a user's source id).
const digestBlock = 4096

// digestWindow is how far ahead of the last match the sequence is read: a
// run of up to that many records removed from the export (or moved) keeps
// the place. Added records cost nothing, however many.
const digestWindow = 1 << 16

// digestContext says what a set's digests cover besides the records: the
// version of this scheme, mig's build (a newer mig may decode a record
// differently) and the run's options.
func digestContext(role, options string) string {
	h := sha256.New()
	fmt.Fprintf(h, "mig record digests 1\x00%s\x00%s\x00%s", buildIdentity(), role, options)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// buildIdentity is the build of mig that runs: its module version and VCS
// revision, with whether the tree was modified.
func buildIdentity() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	id := bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision", "vcs.modified", "vcs.time":
			id += " " + s.Key + "=" + s.Value
		}
	}
	return id
}

// digester computes record digests for one file: the header is hashed once
// and its digest starts every record's.
type digester struct {
	prefix [16]byte
	buf    []byte
}

func newDigester(context string, header []string) *digester {
	d := &digester{}
	d.prefix = d.sum(append([]string{context}, header...))
	return d
}

// sum is the digest of fields, each written with its length first.
func (d *digester) sum(fields []string) recordDigest {
	b := append(d.buf[:0], d.prefix[:]...)
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	d.buf = b
	s := sha256.Sum256(b)
	var out recordDigest
	copy(out[:], s[:16])
	if out == noDigest {
		out[0] = 1
	}
	return out
}

// digestEntry is one record of a set: its digest and what it made.
type digestEntry struct {
	d       recordDigest
	ref     string // a user's id (uvarint bytes) or a mapping line's user
	matched bool   // the matcher found it
}

// digestSet names one set: a source's users file or one of its mapping
// files, as one run recorded it.
type digestSet struct {
	source, tenant, role string
	run                  int64
}

// lastDigests returns the set of role the source's last run recorded, when
// its context is this one's and it holds exactly records records; ok is
// false otherwise (no set, another context, or the staged rows changed
// since).
func (r *Run) lastDigests(ctx context.Context, role, context string, records int) (digestSet, bool, error) {
	set := digestSet{source: r.Src.Provider, tenant: r.Src.Tenant, role: role}
	var gotContext string
	var got int
	err := r.tx.QueryRowContext(ctx, `SELECT ingest_run_id, context, records FROM ingest_digest_sets
		WHERE source = ? AND source_tenant = ? AND role = ?`, set.source, set.tenant, role).Scan(&set.run, &gotContext, &got)
	if errors.Is(err, sql.ErrNoRows) {
		return set, false, nil
	}
	if err != nil {
		return set, false, err
	}
	return set, gotContext == context && got == records, nil
}

// digestReader reads a set's blocks in order, deleting each as it is read:
// the new set takes the pages the old one leaves, so the file does not
// grow by a set on every run. The run's transaction undoes the deletes if
// it fails. The reader may run on the decoder's goroutine: database/sql
// serialises it with the writer's statements on the run's connection.
type digestReader struct {
	tx interface {
		QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	}
	ctx   context.Context
	set   digestSet
	block int
	data  []byte
	left  int // records left in data
	done  bool
}

func (r *Run) readDigests(set digestSet) *digestReader {
	return &digestReader{tx: r.tx, ctx: r.rowCtx, set: set}
}

// next returns the next record of the set; ok is false at its end.
func (dr *digestReader) next() (e digestEntry, ok bool, err error) {
	for dr.left == 0 {
		n, data, err := dr.take()
		if err != nil || n == 0 {
			return e, false, err
		}
		dr.data, dr.left = data, n
	}
	return dr.entry()
}

// take takes the next block out of the table: its records and data; none
// at the end.
func (dr *digestReader) take() (int, []byte, error) {
	if dr.done {
		return 0, nil, nil
	}
	var n int
	var data []byte
	err := dr.tx.QueryRowContext(dr.ctx, takeDigestBlockSQL, dr.set.source, dr.set.tenant, dr.set.role, dr.set.run, dr.block).Scan(&n, &data)
	if errors.Is(err, sql.ErrNoRows) || err == nil && n == 0 {
		dr.done = true
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read the last run's record digests: %w", err)
	}
	dr.block++
	return n, data, nil
}

// entry parses the next record of the current block.
func (dr *digestReader) entry() (e digestEntry, ok bool, err error) {
	if len(dr.data) < len(e.d) {
		return e, false, errors.New("read the last run's record digests: a block is cut short")
	}
	copy(e.d[:], dr.data)
	l, k := binary.Uvarint(dr.data[len(e.d):])
	start := len(e.d) + k
	if k <= 0 || uint64(len(dr.data)-start) < l {
		return e, false, errors.New("read the last run's record digests: a block is cut short")
	}
	e.ref = string(dr.data[start : start+int(l)])
	dr.data = dr.data[start+int(l):]
	dr.left--
	return e, true, nil
}

// prefetchDigests reads the set's blocks on a goroutine of its own, a few
// blocks ahead of the matcher, so that a decoder that needs the next block
// does not wait while the writer holds the run's connection. It stops when
// ctx is done.
func prefetchDigests(ctx context.Context, dr *digestReader) func() (digestEntry, bool, error) {
	type block struct {
		n    int
		data []byte
		err  error
	}
	// 64 blocks are a quarter of a million records, about 5 MB: what the
	// decoder reads while the writer stores a batch of changed users.
	blocks := make(chan block, 64)
	go func() {
		defer close(blocks)
		for {
			var b block
			b.n, b.data, b.err = dr.take()
			if b.n == 0 && b.err == nil {
				return
			}
			select {
			case blocks <- b:
			case <-ctx.Done():
				return
			}
			if b.err != nil {
				return
			}
		}
	}()
	cur := &digestReader{}
	return func() (digestEntry, bool, error) {
		for cur.left == 0 {
			b, ok := <-blocks
			if !ok {
				if err := ctx.Err(); err != nil {
					return digestEntry{}, false, err
				}
				return digestEntry{}, false, nil
			}
			if b.err != nil {
				return digestEntry{}, false, b.err
			}
			cur.data, cur.left = b.data, b.n
		}
		return cur.entry()
	}
}

// digestMatcher finds the records of a new file in the last run's set,
// which it reads digestWindow records ahead. A record is looked for at the
// head of the set and the few records after it (digestProbe): most records
// match at the head, a comparison each, with no index to keep. A record of
// the set that is not matched is gone once digestLag records after it
// were: it was removed, changed, or moved further than that (a moved record
// is then decoded where it is now, which is right, only slower); records
// moved by less keep their match. After digestStreak records in a row
// matched nothing, the next is looked for in the whole window, which finds
// the place again after a run of removed records; a run of added records
// costs one such look each digestStreak records.
type digestMatcher struct {
	read   func() (digestEntry, bool, error)
	win    []digestEntry // win[head:] are the records ahead
	head   int
	ahead  int // records of win[head:] matched already
	eof    bool
	streak int // records since the last match
	gone   []string
}

const (
	digestProbe  = 64
	digestLag    = 64
	digestStreak = 64
)

func newDigestMatcher(read func() (digestEntry, bool, error)) *digestMatcher {
	return &digestMatcher{read: read}
}

// fill reads the set until the window is full.
func (m *digestMatcher) fill() error {
	if m.head > len(m.win)/2 && m.head > 1024 {
		n := copy(m.win, m.win[m.head:])
		clear(m.win[n:])
		m.win, m.head = m.win[:n], 0
	}
	for !m.eof && len(m.win)-m.head < digestWindow {
		e, ok, err := m.read()
		if err != nil {
			return err
		}
		if !ok {
			m.eof = true
			break
		}
		m.win = append(m.win, e)
	}
	return nil
}

// match looks d up ahead. On a match it returns the record's ref. gone are
// the refs of the records the match showed gone (valid until the next
// call), whether or not d matched.
func (m *digestMatcher) match(d recordDigest) (ref string, gone []string, ok bool, err error) {
	m.gone = m.gone[:0]
	reach := digestProbe + digestLag
	if m.streak > 0 && m.streak%digestStreak == 0 {
		reach = digestWindow
	}
	if len(m.win)-m.head < reach && !m.eof {
		if err := m.fill(); err != nil {
			return "", nil, false, err
		}
	}
	end := min(len(m.win), m.head+reach)
	j := m.head
	for ; j < end && (m.win[j].d != d || m.win[j].matched); j++ {
	}
	if j == end {
		m.streak++
		return "", nil, false, nil
	}
	m.streak = 0
	ref = m.win[j].ref
	m.win[j].matched = true
	m.ahead++
	// Found by a look in the whole window: the records before it are
	// taken as gone now, as digestLag more matches would.
	far := j-m.head > digestProbe+digestLag
	for m.head < len(m.win) {
		e := &m.win[m.head]
		switch {
		case e.matched:
			m.ahead--
		case m.ahead >= digestLag || far && m.head < j:
			m.gone = append(m.gone, e.ref)
		default:
			return ref, m.gone, true, nil
		}
		*e = digestEntry{}
		m.head++
	}
	return ref, m.gone, true, nil
}

// rest hands over the refs of every record not matched, at the end of the
// new file.
func (m *digestMatcher) rest(each func(ref string) error) error {
	for {
		if err := m.fill(); err != nil {
			return err
		}
		if m.head == len(m.win) {
			return nil
		}
		for ; m.head < len(m.win); m.head++ {
			e := m.win[m.head]
			m.win[m.head] = digestEntry{}
			if e.matched {
				continue
			}
			if err := each(e.ref); err != nil {
				return err
			}
		}
		m.ahead = 0
	}
}

// digestWriter records a run's set, in file order. An entry may be added
// before its ref is known (a user of a re-ingest gets its id when its
// batch is written): blocks are written once every entry before them is
// complete.
type digestWriter struct {
	r       *Run
	set     digestSet
	pending []digestEntry
	holes   map[int]bool // places still without a ref
	holeQ   []int        // the same places, in order, with some filled since
	block   int
	records int
	buf     []byte
	off     bool // the run cannot record a whole set: none is recorded
}

func (r *Run) writeDigests(role string) *digestWriter {
	return &digestWriter{r: r, set: digestSet{source: r.Src.Provider, tenant: r.Src.Tenant, role: role, run: r.ID},
		holes: map[int]bool{}}
}

// add records a complete entry.
func (w *digestWriter) add(ctx context.Context, d recordDigest, ref string) error {
	if w.off {
		return nil
	}
	w.pending = append(w.pending, digestEntry{d: d, ref: ref})
	return w.flushReady(ctx)
}

// addHole records an entry whose ref fill gives later; it returns its
// place.
func (w *digestWriter) addHole(d recordDigest) int {
	if w.off {
		return -1
	}
	w.pending = append(w.pending, digestEntry{d: d})
	i := w.records + len(w.pending) - 1
	w.holes[i] = true
	w.holeQ = append(w.holeQ, i)
	return i
}

// fill gives the entry at place i its ref.
func (w *digestWriter) fill(i int, ref string) {
	if w.off || i < 0 {
		return
	}
	w.pending[i-w.records].ref = ref
	delete(w.holes, i)
}

// waiting reports how many entries wait for an earlier one's ref.
func (w *digestWriter) waiting() int {
	if w.off || len(w.holes) == 0 {
		return 0
	}
	return len(w.pending)
}

// firstHole is the first place still without a ref, or -1.
func (w *digestWriter) firstHole() int {
	for len(w.holeQ) > 0 && !w.holes[w.holeQ[0]] {
		w.holeQ = w.holeQ[1:]
	}
	if len(w.holeQ) == 0 {
		return -1
	}
	return w.holeQ[0]
}

// flushReady writes the full blocks whose entries are all complete.
func (w *digestWriter) flushReady(ctx context.Context) error {
	for len(w.pending) >= digestBlock {
		if h := w.firstHole(); h >= 0 && h < w.records+digestBlock {
			return nil
		}
		if err := w.writeBlock(ctx, w.pending[:digestBlock]); err != nil {
			return err
		}
		n := copy(w.pending, w.pending[digestBlock:])
		clear(w.pending[n:])
		w.pending = w.pending[:n]
	}
	return nil
}

func (w *digestWriter) writeBlock(ctx context.Context, entries []digestEntry) error {
	b := w.buf[:0]
	for _, e := range entries {
		b = append(b, e.d[:]...)
		b = binary.AppendUvarint(b, uint64(len(e.ref)))
		b = append(b, e.ref...)
	}
	w.buf = b
	if _, err := w.r.tx.ExecContext(ctx, `INSERT INTO ingest_digest_blocks (source, source_tenant, role, ingest_run_id, block, records, data)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, w.set.source, w.set.tenant, w.set.role, w.set.run, w.block, len(entries), b); err != nil {
		return fmt.Errorf("record digests: %w", err)
	}
	w.block++
	w.records += len(entries)
	return nil
}

// finish writes what is left and records the set in place of the last
// one, with its context; a writer that was turned off removes the source's
// set of its role instead, so that the next run decodes every record.
func (w *digestWriter) finish(ctx context.Context, context string) error {
	if !w.off && len(w.holes) > 0 {
		return fmt.Errorf("record digests: %d records of %s have no ref", len(w.holes), w.set.role)
	}
	if _, err := w.r.tx.ExecContext(ctx, `DELETE FROM ingest_digest_sets WHERE source = ? AND source_tenant = ? AND role = ?`,
		w.set.source, w.set.tenant, w.set.role); err != nil {
		return err
	}
	if _, err := w.r.tx.ExecContext(ctx, `DELETE FROM ingest_digest_blocks WHERE source = ? AND source_tenant = ? AND role = ? AND ingest_run_id <> ?`,
		w.set.source, w.set.tenant, w.set.role, w.set.run); err != nil {
		return err
	}
	if w.off {
		_, err := w.r.tx.ExecContext(ctx, `DELETE FROM ingest_digest_blocks WHERE source = ? AND source_tenant = ? AND role = ?`,
			w.set.source, w.set.tenant, w.set.role)
		return err
	}
	if len(w.pending) > 0 {
		if err := w.writeBlock(ctx, w.pending); err != nil {
			return err
		}
		w.pending = w.pending[:0]
	}
	_, err := w.r.tx.ExecContext(ctx, `INSERT INTO ingest_digest_sets (source, source_tenant, role, ingest_run_id, context, records)
		VALUES (?, ?, ?, ?, ?, ?)`, w.set.source, w.set.tenant, w.set.role, w.set.run, context, w.records)
	return err
}

// userRef is a user's id as a set's ref.
func userRef(id int64) string { return string(binary.AppendUvarint(nil, uint64(id))) }

// refUser is the id userRef holds.
func refUser(ref string) int64 {
	v, _ := binary.Uvarint([]byte(ref))
	return int64(v)
}

// idBits is a set of user ids, a bit each: a re-ingest notes the users it
// matched and the users it decoded, to find a user named by two records.
type idBits []uint64

func (b *idBits) set(id int64) {
	i := int(id / 64)
	if i >= len(*b) {
		*b = append(*b, make([]uint64, i+1-len(*b)+len(*b)/4)...)
	}
	(*b)[i] |= 1 << (id % 64)
}

func (b idBits) has(id int64) bool {
	i := int(id / 64)
	return i < len(b) && b[i]&(1<<(id%64)) != 0
}

var takeDigestBlockSQL = sqlqueries.MustLoad("ingest/take_digest_block.sql").SQL
