package ingest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/mig-tools/mig/sqlqueries"
)

// This file holds what a re-ingest of a source staged before adds to a
// run: the upserts that tell new, changed and unchanged users apart, and
// the users the export no longer has.

// upsertUserSQL inserts a user or, when the source already staged it,
// updates it in place, one user at a time: for a user handed over after the
// users phase of a source's first run. The WHERE on the update refuses a
// second row with the same source id in one run: no row changes and AddUser
// reports it.
var upsertUserSQL = sqlqueries.MustLoad("ingest/upsert_user.sql").SQL

// prepareUpserts prepares the statement that needs the users indexes: at
// the start of a run that keeps them, or when a first run restores them.
func (r *Run) prepareUpserts(ctx context.Context) error {
	var err error
	r.upsertUser, err = r.tx.PrepareContext(ctx, upsertUserSQL)
	return err
}

// deltaFeedColumns are the columns of a user a re-ingest collects: the
// users feed's without the id, which only a new user gets, and with the
// TOTP secret, which the batch stages for the users it writes.
var deltaFeedColumns = slices.Concat(userFeedColumns[1:], []string{"totp_secret", "totp_issuer"})

// delta is the state of the users phase of a run over a source staged
// before. Users go through a feed (temp.users_delta_feed), a batch at a
// time, like a first run's: a user whose content hash did not change costs
// one lookup in the source key index and no write, so that a re-ingest
// where a few users changed writes a few pages, however many users the
// export has. temp.users_seen holds the ids read (the missing users are
// the others).
type delta struct {
	feed  *feed
	file  string         // the file of the users in the feed
	batch map[string]int // the feed's ids, with their line
	totp  bool           // some user of the feed has a TOTP secret
	// after is true once the users phase ended (UsersDone): a user handed
	// over later is written at once, since the caller may look it up next.
	after   bool
	staged  int // users of the export staged (not repeats)
	new     int
	changed int
	before  int  // users of the source staged before and not missing
	marked  bool // MarkMissing ran
	// missingBefore: some user of the source was missing before the run.
	missingBefore bool
}

// openDelta starts the users phase of a run over a source staged before.
func (r *Run) openDelta(ctx context.Context) error {
	var all int
	if err := r.tx.QueryRowContext(ctx, stagedBeforeSQL, r.Src.Provider, r.Src.Tenant).Scan(&r.delta.before, &all); err != nil {
		return err
	}
	r.delta.missingBefore = all > r.delta.before
	f, err := r.openFeed(ctx, "users_delta_feed", deltaFeedColumns, upsertUsersDeltaSQL)
	if err != nil {
		return err
	}
	r.delta.feed, r.delta.batch = f, map[string]int{}
	return nil
}

// addDeltaUser collects a user of a re-ingest into the feed, flushing it
// when full. A repeated id inside the batch is skipped here, one repeated
// from an earlier batch by flushDelta.
func (r *Run) addDeltaUser(file string, u *User) error {
	d := &r.delta
	if d.file != file {
		if err := r.flushDelta(r.rowCtx); err != nil {
			return err
		}
		d.file = file
	}
	if first, ok := d.batch[u.SourceID]; ok {
		r.users.writer.off = true // see skipDuplicateIDs
		return r.Skip(r.rowCtx, file, u.Row, u.SourceID, u.EmailRaw,
			fmt.Sprintf("duplicate id %q: line %d has the same id and was staged", u.SourceID, first), u.Raw)
	}
	d.batch[u.SourceID] = u.Row
	if d.after {
		r.users.writer.off = true // a user after the users phase has no place in the set
	} else if err := r.recordDigest(r.rowCtx, u, 0); err != nil {
		return err
	}
	e := &u.enc
	d.feed.add(u.SourceID, u.Row, null(u.EmailRaw), null(e.email), null(u.FirstName), null(u.LastName), e.verified,
		null(u.Password), null(u.PasswordHash), null(u.PasswordHashType), null(u.SourceHasher), null(u.SourceDigest),
		null(u.ExternalID), null(u.Username), e.meta, e.emails, e.phones, e.raw, e.sum, null(u.TOTPSecret), null(u.TOTPIssuer))
	d.totp = d.totp || u.TOTPSecret != ""
	if d.feed.full() || d.after {
		return r.flushDelta(r.rowCtx)
	}
	return nil
}

// flushDelta stages the collected users of a re-ingest: repeats of an
// earlier batch's ids are skipped, the batch's ids recorded as seen, new
// and changed users written (unchanged ones are only looked up), and the
// TOTP secrets of the users written staged.
func (r *Run) flushDelta(ctx context.Context) error {
	d := &r.delta
	if d.feed == nil || len(d.feed.rows) == 0 {
		return nil
	}
	clear(d.batch)
	r.reserve(ctx)
	first, last := d.feed.rows[0][1], d.feed.rows[len(d.feed.rows)-1][1]
	fail := func(err error) error {
		return fmt.Errorf("%s: lines %v-%v: stage users: %w", d.file, first, last, err)
	}
	if err := r.skipDeltaRepeats(ctx); err != nil {
		return fail(err)
	}
	res, err := r.tx.ExecContext(ctx, deltaSeenSQL)
	if err != nil {
		return fail(err)
	}
	n, _ := res.RowsAffected()
	d.staged += int(n)
	r.staged += int(n)
	if err := r.keepDeltaWrites(ctx); err != nil {
		return fail(err)
	}
	if len(d.feed.rows) == 0 {
		return nil
	}
	rows, err := d.feed.insert.QueryContext(ctx, r.Src.Provider, r.Src.Tenant, r.ID)
	if err != nil {
		return fail(err)
	}
	var changed []int64
	for rows.Next() {
		var id int64
		var change, sourceID string
		if err := rows.Scan(&id, &change, &sourceID); err != nil {
			rows.Close()
			return fail(err)
		}
		switch change {
		case "new":
			r.fillDigest(sourceID, id)
			d.new++
		case "changed":
			d.changed++
			changed = append(changed, id)
		}
	}
	if err := rows.Close(); err != nil {
		return fail(err)
	}
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	if d.totp {
		if _, err := r.tx.ExecContext(ctx, deltaTOTPSQL, r.Src.Provider, r.Src.Tenant, r.ID); err != nil {
			return fail(fmt.Errorf("stage TOTP secrets: %w", err))
		}
	}
	if len(changed) > 0 {
		ids, _ := json.Marshal(changed)
		if _, err := r.tx.ExecContext(ctx, removeLostTOTPSQL, r.Src.Provider, r.ID, string(ids)); err != nil {
			return fail(err)
		}
	}
	d.clearFeed()
	return nil
}

// clearFeed empties the feed for the next batch.
func (d *delta) clearFeed() {
	clear(d.feed.rows)
	d.feed.rows, d.totp = d.feed.rows[:0], false
}

// keepDeltaWrites leaves in the feed only the users that must be written
// (delta_to_write.sql).
func (r *Run) keepDeltaWrites(ctx context.Context) error {
	d := &r.delta
	rows, err := r.tx.QueryContext(ctx, deltaToWriteSQL, r.Src.Provider, r.Src.Tenant)
	if err != nil {
		return err
	}
	var write []int
	for rows.Next() {
		var rowid int
		var id sql.NullInt64
		var missing, changed bool
		if err := rows.Scan(&rowid, &id, &missing, &changed); err != nil {
			rows.Close()
			return err
		}
		if id.Valid {
			if err := r.decodedUser(d.feed.rows[rowid-1][0].(string), id.Int64, missing); err != nil {
				rows.Close()
				return err
			}
		}
		if !id.Valid || changed || missing {
			write = append(write, rowid-1)
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if len(write) == 0 {
		d.clearFeed()
		return nil
	}
	slices.Sort(write) // the rows are compacted in place, in order
	kept := d.feed.rows[:0]
	for _, i := range write {
		kept = append(kept, d.feed.rows[i])
	}
	clear(d.feed.rows[len(kept):])
	d.feed.rows = kept
	return nil
}

// skipDeltaRepeats moves the users of the feed whose id an earlier batch
// staged to skipped_users, naming the line of that one.
func (r *Run) skipDeltaRepeats(ctx context.Context) error {
	d := &r.delta
	rows, err := r.tx.QueryContext(ctx, deltaRepeatsSQL)
	if err != nil {
		return err
	}
	repeats := map[int]int{} // feed index -> line staged
	for rows.Next() {
		var rowid int64
		var line int
		if err := rows.Scan(&rowid, &line); err != nil {
			rows.Close()
			return err
		}
		repeats[int(rowid)-1] = line
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if len(repeats) == 0 {
		return nil
	}
	r.users.writer.off = true // see skipDuplicateIDs
	kept := d.feed.rows[:0]
	for i, row := range d.feed.rows {
		line, ok := repeats[i]
		if !ok {
			kept = append(kept, row)
			continue
		}
		id, email := row[0].(string), ""
		if s, ok := row[2].(string); ok {
			email = s
		}
		if err := r.Skip(ctx, d.file, int(row[1].(int64)), id, email,
			fmt.Sprintf("duplicate id %q: line %d has the same id and was staged", id, line), json.RawMessage(row[17].(string))); err != nil {
			return err
		}
	}
	clear(d.feed.rows[len(kept):])
	d.feed.rows = kept
	return nil
}

// commitDelta ends a run over a source staged before: users the export no
// longer has are marked missing, and the counts say what changed. A run
// that would mark more than half of the users staged before missing stops
// with a MissingError, unless the settings accept it.
// Commit wrote the users collected (flush) before it calls it.
func (r *Run) commitDelta(ctx context.Context) error {
	d := &r.delta
	if err := r.MarkMissing(ctx); err != nil {
		return err
	}
	if 2*r.Counts.Missing > d.before && !r.settings.AcceptMissing {
		return &MissingError{Source: r.Src, Missing: r.Counts.Missing, Staged: d.before}
	}
	r.Counts.New, r.Counts.Changed, r.Counts.Unchanged = d.new, d.changed, d.staged-d.new-d.changed
	return nil
}

// MarkMissing marks the users of a re-ingest's source that no record of
// the export named missing, once every user was handed over, and notes
// them in temp.users_lost: their mapping lines are applied again (they now
// name a user not in the export). Ingest calls it before the mapping
// files, Commit if nothing did; Commit refuses too many missing users
// (commitDelta), after any error in the mapping files.
func (r *Run) MarkMissing(ctx context.Context) error {
	d := &r.delta
	if d.feed == nil || r.kit.withoutUsers || d.marked {
		return nil
	}
	if err := r.UsersDone(ctx); err != nil {
		return err
	}
	d.marked = true
	mark := markMissingSQL
	if r.users.trust {
		// The users whose records matched are in neither list: the
		// missing ones are among those handed back as gone.
		if err := r.flushGone(ctx); err != nil {
			return err
		}
		mark = markGoneMissingSQL
	}
	if _, err := r.tx.ExecContext(ctx, mark, r.Src.Provider, r.Src.Tenant); err != nil {
		return err
	}
	res, err := r.tx.ExecContext(ctx, markLostMissingSQL, r.Src.Provider, r.Src.Tenant)
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	r.Counts.Missing = int(n)
	return nil
}

// anyMissing reports whether the source may have a missing user: one
// missing before the run, or marked by it. The mapping scripts test a
// user's change only then (:any_missing).
func (r *Run) anyMissing() bool {
	return r.delta.missingBefore || r.Counts.Missing > 0
}

// MissingError stops a re-ingest that would mark more than half of the
// users staged from a source missing. An export cut short, filtered, or
// taken from the wrong instance looks exactly like that, and a missing user
// is no longer imported; a real mass removal is confirmed with
// --accept-missing.
type MissingError struct {
	Source  Source
	Missing int // users the export no longer has
	Staged  int // users staged from the source before this run, not missing then
}

func (e *MissingError) Error() string {
	src := e.Source.Provider
	if e.Source.Tenant != "" {
		src += " (tenant " + e.Source.Tenant + ")"
	}
	return fmt.Sprintf("this export does not have %d of the %d users staged from %s: marking more than half of a source's users missing "+
		"is refused (is the export complete, and from the right instance?); nothing was changed", e.Missing, e.Staged, src)
}

// Hint says how to go on when the users were really removed.
func (e *MissingError) Hint() string {
	return "if those users were really removed, run the same ingest again with --accept-missing"
}

// The statements of this file, kept as named files in sqlqueries.
var (
	deltaSeenTableSQL   = sqlqueries.MustLoad("ingest/delta_seen_table.sql").SQL
	deltaRepeatsSQL     = sqlqueries.MustLoad("ingest/delta_repeats.sql").SQL
	deltaSeenSQL        = sqlqueries.MustLoad("ingest/delta_seen.sql").SQL
	deltaToWriteSQL     = sqlqueries.MustLoad("ingest/delta_to_write.sql").SQL
	upsertUsersDeltaSQL = sqlqueries.MustLoad("ingest/upsert_users_delta.sql").SQL
	deltaTOTPSQL        = sqlqueries.MustLoad("ingest/delta_totp.sql").SQL
	stagedBeforeSQL     = sqlqueries.MustLoad("ingest/staged_before.sql").SQL
	markMissingSQL      = sqlqueries.MustLoad("ingest/mark_missing.sql").SQL
	markGoneMissingSQL  = sqlqueries.MustLoad("ingest/mark_gone_missing.sql").SQL
	markLostMissingSQL  = sqlqueries.MustLoad("ingest/mark_lost_missing.sql").SQL
	removeLostTOTPSQL   = sqlqueries.MustLoad("ingest/remove_lost_totp.sql").SQL
)
