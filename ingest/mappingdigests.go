package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// This file holds how the kit reads a mapping file with the record digests
// of digests.go: every run that reads one records the digest of each line
// as staged (role "org_mapping" or "role_mapping"), and a re-ingest that
// applies the mapping by difference (mappingDiff) finds the users whose
// lines changed by matching the new file's lines against the last run's
// digests, instead of staging every line in a temporary table and sorting
// it with the staged lines (org_mapping_diff.sql). It then reads the file a
// second time for the lines of those users only. At a million lines where
// 1% changed that is the cost of reading the file, not of a sort of two
// million lines (bench/RESULTS.md).
//
// A set holds the lines as staged: a line's digest covers its user as the
// user column resolved, and its other columns trimmed (the tuple
// org_mapping_diff.sql compares), so a line naming its user by email that
// names another user now does not match. A set is valid only while the
// source's mapping lines are those the run that recorded it staged: a run
// that changes them otherwise (lines handed over by a decoder, a mapping
// cleared with no file read) removes it (endMappingDiff), an UPDATE of a
// line drops it (trigger of migration 00016), and a set that holds another
// number of lines than the source has is not used.

// mappingRedoMax bounds the users a re-ingest collects in memory as the
// users whose lines changed: past it, the change is most of the file, and
// every line is staged and compared in SQL as without digests.
var mappingRedoMax = 1 << 20

// mapLine is one line of a mapping file as the run stages it: t is the
// staged tuple, the user's source id (the user column resolved) first,
// then the mapping's other columns trimmed ("" stands for NULL: staging
// stores no empty organization column).
type mapLine struct {
	row int
	t   [4]string
}

// mapFile is what tells the two mapping files apart for readMapping.
type mapFile struct {
	kind, role string // "org", "org_mapping"
	parse      func(m *mappingReader, get func(string) string, line int) (mapLine, error)
	stage      func(ctx context.Context, r *Run, path string, l mapLine) error
}

var orgMapFile = mapFile{kind: "org", role: "org_mapping",
	parse: func(m *mappingReader, get func(string) string, line int) (mapLine, error) {
		uid, col, err := m.user(get)
		if err != nil {
			return mapLine{}, err
		}
		if uid == "" {
			return mapLine{}, &LineError{File: m.path, Line: line, Field: col, Msg: "empty: each line maps one user"}
		}
		return mapLine{row: line, t: [4]string{uid, strings.TrimSpace(get("org_id")),
			strings.TrimSpace(get("org_external_id")), strings.TrimSpace(get("org_name"))}}, nil
	},
	stage: func(ctx context.Context, r *Run, path string, l mapLine) error {
		return r.addOrgMappingRow(ctx, path, OrgMappingRow{Row: l.row, SourceUserID: l.t[0],
			OrgID: l.t[1], OrgExternalID: l.t[2], OrgName: l.t[3]})
	},
}

var roleMapFile = mapFile{kind: "role", role: "role_mapping",
	parse: func(m *mappingReader, get func(string) string, line int) (mapLine, error) {
		uid, col, err := m.user(get)
		if err != nil {
			return mapLine{}, err
		}
		slug := get("role_slug")
		if uid == "" {
			return mapLine{}, &LineError{File: m.path, Line: line, Field: col, Msg: "empty: each line gives one user a role"}
		}
		if slug == "" {
			return mapLine{}, &LineError{File: m.path, Line: line, Field: "role_slug", Msg: "empty: each line gives one user a role"}
		}
		return mapLine{row: line, t: [4]string{uid, strings.TrimSpace(slug),
			strings.TrimSpace(get("org_id")), strings.TrimSpace(get("org_external_id"))}}, nil
	},
	stage: func(ctx context.Context, r *Run, path string, l mapLine) error {
		return r.addRoleMappingRow(ctx, path, RoleMappingRow{Row: l.row, SourceUserID: l.t[0], RoleSlug: l.t[1],
			OrgID: l.t[2], OrgExternalID: l.t[3]})
	},
}

// lineDigests gives the lines of a mapping file their digests. A line that
// repeats an earlier line of the same user (within the user's run of
// adjacent lines) gets another digest, with the number of copies before it:
// the matcher matches each digest of the last run's set once, and a second
// copy with the same digest would never match, and would make its user's
// lines applied again at every run (files do repeat lines: 1.7% of the
// benchmark's role lines).
type lineDigests struct {
	dg   *digester
	user string
	seen []recordDigest // the digests of the user's lines so far
	many map[recordDigest]int
	buf  [5]string
}

func newLineDigests(context string) *lineDigests {
	return &lineDigests{dg: newDigester(context, nil)}
}

func (ld *lineDigests) digest(l mapLine) recordDigest {
	copy(ld.buf[:], l.t[:])
	d := ld.dg.sum(ld.buf[:4])
	if l.t[0] != ld.user {
		ld.user, ld.seen = l.t[0], ld.seen[:0]
		clear(ld.many)
	}
	n := 0
	if len(ld.seen) < 32 {
		for _, s := range ld.seen {
			if s == d {
				n++
			}
		}
		ld.seen = append(ld.seen, d)
	} else {
		// A user with many lines: they are counted in a map from here on.
		if ld.many == nil {
			ld.many = map[recordDigest]int{}
		}
		if len(ld.many) == 0 {
			for _, s := range ld.seen {
				ld.many[s]++
			}
		}
		n = ld.many[d]
		ld.many[d]++
	}
	if n == 0 {
		return d
	}
	ld.buf[4] = strconv.Itoa(n)
	return ld.dg.sum(ld.buf[:])
}

// readMapping stages the lines of the mapping file m reads and records
// their digests, and returns how many lines it has. When the run applies
// the mapping by difference and the last run's set is valid, it stages only
// the lines of the users whose lines changed (see the top of this file);
// reopen opens the file again for that.
func (r *Run) readMapping(ctx context.Context, mf mapFile, m *mappingReader,
	reopen func() (*mappingReader, func() error, error)) (int, error) {
	dctx := digestContext(mf.role, r.options)
	dg := newLineDigests(dctx)
	w := r.writeDigests(mf.role)
	// Lines of this mapping that came from elsewhere are not in the file.
	w.off = r.mapDiff.outside(mf.kind)
	var set digestSet
	valid := false
	if r.mapDiff.on(mf.kind) && !w.off {
		var n int
		if err := r.tx.QueryRowContext(ctx, `SELECT count(*) FROM `+mf.role+`_rows WHERE source = ? AND source_tenant = ?`,
			r.Src.Provider, r.Src.Tenant).Scan(&n); err != nil {
			return 0, err
		}
		var err error
		if set, valid, err = r.lastDigests(ctx, mf.role, dctx, n); err != nil {
			return 0, err
		}
	}
	if !valid {
		rows, err := eachMapLine(ctx, mf, m, dg, func(l *mapLine, d recordDigest) error {
			if err := mf.stage(ctx, r, m.path, *l); err != nil {
				return err
			}
			return w.add(ctx, d, l.t[0])
		})
		if err != nil {
			return rows, err
		}
		return rows, w.finish(ctx, dctx)
	}

	// The first pass: the users whose lines changed, from the lines that
	// match none of the last run's and the last run's lines that no line
	// matched (gone).
	redo := map[string]bool{}
	all := false // too many users changed to collect: every line is staged
	note := func(uid string) {
		if all {
			return
		}
		redo[uid] = true
		if len(redo) > mappingRedoMax {
			all, redo = true, nil
		}
	}
	match := newDigestMatcher(r.readDigests(set).next)
	rows, err := eachMapLine(ctx, mf, m, dg, func(l *mapLine, d recordDigest) error {
		if !all {
			_, gone, ok, err := match.match(d)
			if err != nil {
				return err
			}
			for _, g := range gone {
				note(g)
			}
			if !ok {
				note(l.t[0])
			}
		}
		return w.add(ctx, d, l.t[0])
	})
	if err != nil {
		return rows, err
	}
	if !all {
		if err := match.rest(func(ref string) error { note(ref); return nil }); err != nil {
			return rows, err
		}
		if redo, err = r.knownRedo(ctx, mf.kind, redo); err != nil {
			return rows, err
		}
	}
	// The second pass, when a user's lines are applied again: their lines,
	// as a fresh read stages them.
	staged, reads := 0, 1
	if all || len(redo) > 0 {
		reads++
		m2, closeFile, err := reopen()
		if err != nil {
			return rows, err
		}
		defer closeFile()
		n, err := eachMapLine(ctx, mf, m2, nil, func(l *mapLine, _ recordDigest) error {
			if !all && !redo[l.t[0]] {
				return nil
			}
			staged++
			return mf.stage(ctx, r, m2.path, *l)
		})
		if err != nil {
			return rows, err
		}
		if n != rows {
			return rows, fmt.Errorf("%s changed while it was read: %d lines, then %d", m.path, rows, n)
		}
	}
	if r.Log != nil {
		r.Log.Debug("mapping file applied by its record digests", "file", m.path, "lines", rows,
			"users_changed", len(redo), "every_line", all, "reads", reads, "lines_staged", staged)
	}
	return rows, w.finish(ctx, dctx)
}

// mapBatch is a run of lines of a mapping file, parsed, with their
// digests.
type mapBatch struct {
	lines []mapLine
	ds    []recordDigest
}

// mapBatchLines is how many lines a mapBatch holds: the reader runs at most
// a few batches ahead.
const mapBatchLines = 1024

// eachMapLine reads the lines of m on a goroutine of its own, which parses
// them (looking their users up) and digests them, and calls each for every
// line, in file order, on the caller's goroutine, which matches and writes:
// on two cores the two halves of reading a million lines overlap, as the
// users phase's decoding and writing do (pipeline.go). database/sql
// serialises the two goroutines' statements on the run's connection. It
// returns the number of lines read. With no ld, the lines are not digested
// (each gets noDigest).
func eachMapLine(ctx context.Context, mf mapFile, m *mappingReader, ld *lineDigests,
	each func(l *mapLine, d recordDigest) error) (int, error) {
	batches := make(chan *mapBatch, 4)
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	var rows int
	var readErr error
	go func() {
		defer close(batches)
		b := &mapBatch{}
		send := func() error {
			select {
			case batches <- b:
			case <-rctx.Done():
				return rctx.Err()
			}
			b = &mapBatch{lines: make([]mapLine, 0, mapBatchLines), ds: make([]recordDigest, 0, mapBatchLines)}
			return nil
		}
		rows, readErr = m.csv.Each(rctx, func(get func(string) string, line int) error {
			l, err := mf.parse(m, get, line)
			if err != nil {
				return err
			}
			b.lines = append(b.lines, l)
			if ld != nil {
				b.ds = append(b.ds, ld.digest(l))
			} else {
				b.ds = append(b.ds, noDigest)
			}
			if len(b.lines) < mapBatchLines {
				return nil
			}
			return send()
		})
		if readErr == nil && len(b.lines) > 0 {
			readErr = send()
		}
	}()
	var eachErr error
	for b := range batches {
		for i := range b.lines {
			if eachErr != nil {
				break // drain until the reader sees it is stopped
			}
			if eachErr = each(&b.lines[i], b.ds[i]); eachErr != nil {
				stop()
			}
		}
	}
	if eachErr != nil {
		return rows, eachErr
	}
	return rows, readErr
}

// knownRedo stores the users whose lines changed in temp.mapping_redo, adds
// those an earlier run warned about (mapping_redo_warned.sql), and returns
// them all: the mapping diff then finds none itself (:redo_known 1).
func (r *Run) knownRedo(ctx context.Context, kind string, redo map[string]bool) (map[string]bool, error) {
	ids := make([]string, 0, len(redo))
	for id := range redo {
		ids = append(ids, id)
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	if _, err := r.tx.ExecContext(ctx, `INSERT OR IGNORE INTO temp.mapping_redo (kind, source_user_id) SELECT ?, value FROM json_each(?)`,
		kind, string(b)); err != nil {
		return nil, err
	}
	if err := r.script(ctx, "ingest/mapping_redo_warned.sql", sql.Named("kind", kind)); err != nil {
		return nil, err
	}
	rows, err := r.tx.QueryContext(ctx, `SELECT source_user_id FROM temp.mapping_redo WHERE kind = ?`, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		redo[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	r.mapDiff.setKnown(kind)
	return redo, nil
}

// dropMappingDigests removes the source's sets of the mappings whose lines
// the run changed otherwise than by reading a mapping file: the next run
// reads those files in full.
func (r *Run) dropMappingDigests(ctx context.Context) error {
	for _, kind := range []string{"org", "role"} {
		if !r.mapDiff.outside(kind) {
			continue
		}
		w := r.writeDigests(kind + "_mapping")
		w.off = true
		if err := w.finish(ctx, ""); err != nil {
			return err
		}
	}
	return nil
}
