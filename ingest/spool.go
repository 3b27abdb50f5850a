package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jmoiron/sqlx"

	"github.com/mig-tools/mig/sqlqueries"
	"github.com/mig-tools/mig/staging"
)

// A Spool makes an API source's fetch resumable without giving up "one
// ingest is one transaction" for the staged tables. The fetcher hands its
// records to the Spool (a DefinitionSink) and, after each page, calls
// Checkpoint with the cursor it reached; the page's records and the cursor
// are saved together in one short transaction (table ingest_spool_records,
// schema/migrations/00010_ingest_spool.sql). An ingest interrupted there and
// started again with the same Spec finds the cursors (Cursor) and fetches
// from the next page on; records handed over after the last checkpoint are
// dropped, since they will be fetched again. When the fetch is complete
// (Done), Ingest with Spec.Spool replays the records into the run and
// deletes the spool in the run's transaction.
//
// A fetcher pages through one resource at a time and checkpoints it before
// it starts the next, so that a checkpoint never saves records of a page
// another resource's cursor has not passed. A record handed over twice
// (an organization a resumed fetch hands over again) is saved once.
//
// A Spool is used from one goroutine, while no run is open on the database.
type Spool struct {
	db        *staging.DB
	id        int64
	secrets   bool
	cursors   map[string]string
	fetched   bool
	resumed   bool
	seq       int64 // the checkpoint the buffered records will be saved with
	buf       []spoolRecord
	saveAfter int // buffered records are written (unsaved) beyond this many
	progress  *Progress
}

// spoolRecord is one record handed over, encoded.
type spoolRecord struct {
	kind, file string
	body       []byte
}

// spoolBuffer bounds the records a Spool holds in memory between
// checkpoints: beyond it they are written, marked with the checkpoint that
// is to save them, and dropped on resume if it never comes.
const spoolBuffer = 2048

// OpenSpool opens the spool of the fetch that the ingest s describes (its
// source, options, mapping files and secrets setting), creating it when
// there is none. A spool an earlier fetch with other arguments left is
// deleted, saying so at warn level: its pages are not what this fetch asks
// for. Records of an earlier try that no checkpoint saved are dropped.
func OpenSpool(ctx context.Context, db *staging.DB, s Spec) (*Spool, error) {
	opts, err := json.Marshal(runOptions(s))
	if err != nil {
		return nil, err
	}
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sp := &Spool{db: db, secrets: s.IncludeSecrets, cursors: map[string]string{}, saveAfter: spoolBuffer, progress: s.Settings.Progress}
	sp.progress.begin(PhaseFetching, 0)
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		var old struct {
			ID      int64          `db:"id"`
			Options string         `db:"options"`
			Saved   int64          `db:"saved_seq"`
			Fetched sql.NullString `db:"fetched_at"`
		}
		err := tx.GetContext(ctx, &old, `SELECT id, options, saved_seq, fetched_at FROM ingest_spools WHERE provider = ? AND source_tenant = ?`,
			s.Source.Provider, s.Source.Tenant)
		switch {
		case err == nil && old.Options == string(opts):
			sp.id, sp.seq, sp.fetched, sp.resumed = old.ID, old.Saved+1, old.Fetched.Valid, true
			if _, err := tx.ExecContext(ctx, `DELETE FROM ingest_spool_records WHERE spool_id = ? AND seq > ?`, old.ID, old.Saved); err != nil {
				return err
			}
			var rows []struct {
				Resource string `db:"resource"`
				Cursor   string `db:"cursor"`
			}
			if err := tx.SelectContext(ctx, &rows, `SELECT resource, cursor FROM ingest_spool_cursors WHERE spool_id = ?`, old.ID); err != nil {
				return err
			}
			for _, r := range rows {
				sp.cursors[r.Resource] = r.Cursor
			}
			return nil
		case err == nil:
			log.Warn("the interrupted fetch of an earlier ingest had other arguments: its fetched pages are dropped and this one starts from the beginning",
				"source", s.Source.Provider, "tenant", s.Source.Tenant)
			if err := deleteSpool(ctx, tx, old.ID); err != nil {
				return err
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		now := staging.Now()
		res, err := tx.ExecContext(ctx, `INSERT INTO ingest_spools (provider, source_tenant, options, started_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			s.Source.Provider, s.Source.Tenant, string(opts), now, now)
		if err != nil {
			return err
		}
		sp.seq = 1
		sp.id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open the fetch spool: %w", err)
	}
	return sp, nil
}

// deleteSpool deletes a spool and its records. Foreign keys are off inside
// an ingest run, so the rows are deleted by hand, not by cascade.
func deleteSpool(ctx context.Context, tx interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, id int64) error {
	for _, q := range []string{
		`DELETE FROM ingest_spool_records WHERE spool_id = ?`,
		`DELETE FROM ingest_spool_cursors WHERE spool_id = ?`,
		`DELETE FROM ingest_spools WHERE id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}

// Resumed reports whether an earlier try of the same fetch left pages in
// the spool, which this one continues.
func (s *Spool) Resumed() bool { return s.resumed }

// Fetched reports whether the fetch was completed by an earlier try: only
// the ingest is left, and nothing needs fetching.
func (s *Spool) Fetched() bool { return s.fetched }

// Cursor returns where the fetch of resource continues, as the last
// checkpoint of it saved it; ok is false when none did (fetch it from the
// start).
func (s *Spool) Cursor(resource string) (cursor string, ok bool) {
	cursor, ok = s.cursors[resource]
	return cursor, ok
}

// Checkpoint saves the records handed over since the last checkpoint
// together with the cursor of resource, in one transaction: a fetch
// started again continues after this page.
func (s *Spool) Checkpoint(ctx context.Context, resource, cursor string) error {
	return s.save(ctx, func(tx *sqlx.Tx, now string) error {
		_, err := tx.ExecContext(ctx, spoolCursorSQL, s.id, resource, cursor, now)
		if err == nil {
			s.cursors[resource] = cursor
		}
		return err
	})
}

// Done saves what is left and records that the fetch is complete. Ingest
// with Spec.Spool then stages the spool.
func (s *Spool) Done(ctx context.Context) error {
	return s.save(ctx, func(tx *sqlx.Tx, now string) error {
		_, err := tx.ExecContext(ctx, `UPDATE ingest_spools SET fetched_at = ? WHERE id = ?`, now, s.id)
		if err == nil {
			s.fetched = true
		}
		return err
	})
}

// save writes the buffered records and marks everything written with the
// current checkpoint saved, with what more the caller writes, in one
// transaction.
func (s *Spool) save(ctx context.Context, more func(tx *sqlx.Tx, now string) error) error {
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.write(ctx, tx); err != nil {
			return err
		}
		now := staging.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE ingest_spools SET saved_seq = ?, updated_at = ? WHERE id = ?`, s.seq, now, s.id); err != nil {
			return err
		}
		return more(tx, now)
	})
	if err != nil {
		return fmt.Errorf("save the fetch spool: %w", err)
	}
	s.seq++
	return nil
}

// write inserts the buffered records, marked with the checkpoint that is
// to save them.
func (s *Spool) write(ctx context.Context, tx *sqlx.Tx) error {
	if len(s.buf) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, spoolRecordSQL)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, r := range s.buf {
		h := sha256.New()
		h.Write([]byte(r.kind))
		h.Write([]byte{0})
		h.Write([]byte(r.file))
		h.Write([]byte{0})
		h.Write(r.body)
		if _, err := st.ExecContext(ctx, s.id, s.seq, r.kind, r.file, string(r.body), hex.EncodeToString(h.Sum(nil))); err != nil {
			return err
		}
	}
	clear(s.buf)
	s.buf = s.buf[:0]
	return nil
}

// add buffers one record, writing the buffer (unsaved) when it is full.
func (s *Spool) add(ctx context.Context, kind, file string, v any) error {
	if s.fetched {
		return errors.New("the fetch spool is complete: nothing more may be handed to it")
	}
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s: spool %s: %w", file, kind, err)
	}
	s.buf = append(s.buf, spoolRecord{kind: kind, file: file, body: body})
	if len(s.buf) < s.saveAfter {
		return nil
	}
	return s.db.InTx(ctx, func(tx *sqlx.Tx) error { return s.write(ctx, tx) })
}

// Spooled forms of the records whose JSON would not come back the same
// through encoding/json (any values): they keep the encoded JSON.
type (
	spoolUser struct {
		*User
		Raw json.RawMessage
	}
	spoolSkip struct {
		Row                     int
		SourceID, Email, Reason string
		Raw                     json.RawMessage
	}
	spoolWarning struct {
		Warning
		Context map[string]json.RawMessage
	}
)

// AddUser spools u.
func (s *Spool) AddUser(ctx context.Context, file string, u *User) error {
	raw, err := json.Marshal(u.Raw)
	if err != nil {
		return err
	}
	s.progress.addUser()
	return s.add(ctx, "user", file, spoolUser{User: u, Raw: raw})
}

// Skip spools a skipped row.
func (s *Spool) Skip(ctx context.Context, file string, row int, sourceID, email, reason string, raw any) error {
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	return s.add(ctx, "skip", file, spoolSkip{Row: row, SourceID: sourceID, Email: email, Reason: reason, Raw: b})
}

// Warn spools a warning.
func (s *Spool) Warn(ctx context.Context, w Warning) error {
	sw := spoolWarning{Warning: w}
	if w.Context != nil {
		sw.Context = make(map[string]json.RawMessage, len(w.Context))
		for k, v := range w.Context {
			b, err := json.Marshal(v)
			if err != nil {
				return err
			}
			sw.Context[k] = b
		}
	}
	return s.add(ctx, "warning", w.File, sw)
}

// AddOrgMappingRow spools a membership line.
func (s *Spool) AddOrgMappingRow(ctx context.Context, file string, m OrgMappingRow) error {
	return s.add(ctx, "org_mapping", file, m)
}

// AddRoleMappingRow spools a role line.
func (s *Spool) AddRoleMappingRow(ctx context.Context, file string, m RoleMappingRow) error {
	return s.add(ctx, "role_mapping", file, m)
}

// AddOrganization spools an organization.
func (s *Spool) AddOrganization(ctx context.Context, file string, o Organization) error {
	return s.add(ctx, "organization", file, o)
}

// AddRoleDefinition spools a role definition.
func (s *Spool) AddRoleDefinition(ctx context.Context, file string, d RoleDefinition) error {
	return s.add(ctx, "role", file, d)
}

// AddSSOConnection spools a connection. Its secrets are kept only when
// the ingest asked for them: the spool is in the database, where they must
// not be otherwise. The run warns about them either way (AddSSOConnection
// of Run), so their names are kept.
func (s *Spool) AddSSOConnection(ctx context.Context, file string, c SSOConnection) error {
	if !s.secrets && len(c.Secrets) > 0 {
		redacted := make(map[string]string, len(c.Secrets))
		for k, v := range c.Secrets {
			if v != "" {
				redacted[k] = redactedSecret
			}
		}
		c.Secrets = redacted
	}
	return s.add(ctx, "sso_connection", file, c)
}

// redactedSecret stands for a secret the spool did not keep.
const redactedSecret = "[redacted]"

var _ DefinitionSink = (*Spool)(nil)

// replayPage is how many spooled records a replay reads at a time: read,
// closed, then written, as the run's one connection cannot read and write
// at once.
const replayPage = 1024

// replay hands the spool's saved records to the run, in the order they
// were handed over.
func (s *Spool) replay(ctx context.Context, r *Run, st *streamed) error {
	if !s.fetched {
		return errors.New("the fetch is not complete: call Spool.Done before the ingest")
	}
	type rec struct {
		ID     int64  `db:"id"`
		Kind   string `db:"kind"`
		File   string `db:"file"`
		Record string `db:"record"`
	}
	var last int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var page []rec
		if err := r.tx.SelectContext(ctx, &page, spoolPageSQL, s.id, s.seq, last, replayPage); err != nil {
			return fmt.Errorf("read the fetch spool: %w", err)
		}
		if len(page) == 0 {
			return nil
		}
		for _, p := range page {
			if err := replayOne(ctx, r, st, p.Kind, p.File, []byte(p.Record)); err != nil {
				return err
			}
		}
		last = page[len(page)-1].ID
	}
}

// replayOne hands one spooled record to the run.
func replayOne(ctx context.Context, r *Run, st *streamed, kind, file string, b []byte) error {
	bad := func(err error) error { return fmt.Errorf("%s: spooled %s: %w", file, kind, err) }
	switch kind {
	case "user":
		su := spoolUser{User: &User{}}
		if err := json.Unmarshal(b, &su); err != nil {
			return bad(err)
		}
		su.User.Raw = su.Raw
		st.rows++
		r.settings.Progress.addUser()
		return r.AddUser(ctx, file, su.User)
	case "skip":
		var sk spoolSkip
		if err := json.Unmarshal(b, &sk); err != nil {
			return bad(err)
		}
		st.rows++
		return r.Skip(ctx, file, sk.Row, sk.SourceID, sk.Email, sk.Reason, sk.Raw)
	case "warning":
		var sw spoolWarning
		if err := json.Unmarshal(b, &sw); err != nil {
			return bad(err)
		}
		w := sw.Warning
		if sw.Context != nil {
			w.Context = make(map[string]any, len(sw.Context))
			for k, v := range sw.Context {
				w.Context[k] = v
			}
		}
		return r.Warn(ctx, w)
	case "org_mapping":
		var m OrgMappingRow
		if err := json.Unmarshal(b, &m); err != nil {
			return bad(err)
		}
		return st.addOrgRow(ctx, r, file, m)
	case "role_mapping":
		var m RoleMappingRow
		if err := json.Unmarshal(b, &m); err != nil {
			return bad(err)
		}
		return st.addRoleRow(ctx, r, file, m)
	case "organization":
		var o Organization
		if err := json.Unmarshal(b, &o); err != nil {
			return bad(err)
		}
		return st.addOrganization(ctx, r, file, o)
	case "role":
		var d RoleDefinition
		if err := json.Unmarshal(b, &d); err != nil {
			return bad(err)
		}
		return st.addRoleDefinition(ctx, r, file, d)
	case "sso_connection":
		var c SSOConnection
		if err := json.Unmarshal(b, &c); err != nil {
			return bad(err)
		}
		return st.addSSOConnection(ctx, r, file, c)
	}
	return bad(errors.New("unknown kind of record"))
}

// deleteIn deletes the spool inside the run's transaction: it is gone
// exactly when what it held is staged.
func (s *Spool) deleteIn(ctx context.Context, r *Run) error {
	return deleteSpool(ctx, r.tx, s.id)
}

// The statements of this file, kept as named files in sqlqueries.
var (
	spoolCursorSQL = sqlqueries.MustLoad("ingest/spool_cursor.sql").SQL
	spoolRecordSQL = sqlqueries.MustLoad("ingest/spool_record.sql").SQL
	spoolPageSQL   = sqlqueries.MustLoad("ingest/spool_replay_page.sql").SQL
)
