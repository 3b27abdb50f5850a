package importer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/mig-tools/mig/importer/workosapi"
	"github.com/mig-tools/mig/sqlqueries"
)

// codeEmailBelongsToOtherUser is a user row refused because the WorkOS
// user with its email is someone else's: two people are never merged.
const codeEmailBelongsToOtherUser = "email_belongs_to_other_user"

// serializer hands out, per key, one turn at a time in the order the turns
// were asked for. The users phase takes a turn per email address, so that
// two staged users who share an address are never sent at once: the first
// (in item order, rows found in flight first) finishes, and records which
// WorkOS user it got, before the second one starts. Rows of different
// addresses run in parallel as before.
//
// It cannot deadlock: turns are asked for in the order rows enter the
// work channel, which workers read in that order, so the head turn of
// every address belongs to a row some worker already holds.
type serializer struct {
	mu     sync.Mutex
	queues map[string][]*turn
}

type turn struct {
	key   string
	ready chan struct{}
}

func newSerializer() *serializer { return &serializer{queues: map[string][]*turn{}} }

// enter queues a turn for key; it is ready when every earlier turn of the
// same key has left. The map holds only the keys of rows handed out and not
// finished, so it stays as small as the work queue.
func (s *serializer) enter(key string) *turn {
	t := &turn{key: key, ready: make(chan struct{})}
	s.mu.Lock()
	q := s.queues[key]
	if len(q) == 0 {
		close(t.ready)
	}
	s.queues[key] = append(q, t)
	s.mu.Unlock()
	return t
}

// leave ends a turn, taken or not (an interrupted run leaves turns it
// never took), and readies the next one of its key.
func (s *serializer) leave(t *turn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[t.key]
	for i, x := range q {
		if x != t {
			continue
		}
		q = append(q[:i:i], q[i+1:]...)
		if i == 0 && len(q) > 0 {
			close(q[0].ready)
		}
		break
	}
	if len(q) == 0 {
		delete(s.queues, t.key)
	} else {
		s.queues[t.key] = q
	}
}

// emailKey is the key two staged users share when WorkOS would hold them
// as one user: it compares addresses case-insensitively.
func emailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// owner is the staged user a WorkOS user went to in this run.
type owner struct {
	itemID   int64
	stagedID int64
	sourceID string
}

// claim records that the WorkOS user workosID is the staged user of row u,
// so that no other staged user of this run is given it.
func (r *runner) claim(workosID string, u userRow) {
	if workosID == "" {
		return
	}
	r.ownersMu.Lock()
	r.owners[workosID] = owner{itemID: u.ItemID, stagedID: u.StagedID, sourceID: u.SourceID}
	r.ownersMu.Unlock()
}

// otherOwner decides whether row u may take the WorkOS user found, which
// has u's email or external id but was not created by u's request. It may
// only when nothing says the user is someone else: its external_id is
// empty or u's, and no other staged user was given it by mig, in this run
// or an earlier one, nor got no answer to a create that may have made it.
// Otherwise it returns the failed row, naming the other user; nothing of u
// (memberships, factors) is then attached, since those rows need u done.
func (r *runner) otherOwner(ctx context.Context, u userRow, found *workosapi.User, cause error) (*result, error) {
	fail := func(msg string) *result {
		res := result{status: statusFailed, code: codeEmailBelongsToOtherUser, message: msg}
		if ae, ok := workosapi.AsAPIError(cause); ok {
			res.httpStatus, res.requestID = ae.Status, ae.RequestID
		}
		return &res
	}
	this := fmt.Sprintf("staged user %s (staged id %d, %s)", u.SourceID, u.StagedID, u.Email)
	what := fmt.Sprintf("WorkOS user %s (%s)", found.ID, found.Email)
	const fix = "; two people are never merged into one WorkOS user: give one of them another email, or remove one from the staging (mig check reports staged duplicates as email_duplicate)"

	if found.ExternalID != nil && *found.ExternalID != "" && *found.ExternalID != u.ExternalID {
		other := "a user that is not staged here"
		var o struct {
			ID       int64  `db:"id"`
			SourceID string `db:"source_id"`
		}
		err := r.db.GetContext(ctx, &o, `SELECT id, source_id FROM users WHERE external_id = ? ORDER BY id LIMIT 1`, *found.ExternalID)
		switch {
		case err == nil:
			other = fmt.Sprintf("staged user %s (staged id %d)", o.SourceID, o.ID)
		case !errors.Is(err, sql.ErrNoRows):
			return nil, err
		}
		return fail(fmt.Sprintf("%s has external_id %q, not %q: it is %s, not %s%s",
			what, *found.ExternalID, u.ExternalID, other, this, fix)), nil
	}

	r.ownersMu.Lock()
	o, taken := r.owners[found.ID]
	r.ownersMu.Unlock()
	if taken && o.itemID != u.ItemID {
		return fail(fmt.Sprintf("%s was given to staged user %s (staged id %d) by this import; %s shares its email%s",
			what, o.sourceID, o.stagedID, this, fix)), nil
	}

	// Users given this WorkOS user by an earlier run, then users whose
	// create got no answer (it may have made this very user): each read
	// by an index, never by a scan of every user.
	args := []any{sql.Named("workos_id", found.ID), sql.Named("item_id", u.ItemID), sql.Named("email_key", emailKey(u.Email))}
	for _, q := range []struct{ how, query string }{
		{"was given to", "importer/owner_given.sql"},
		{"may have been created by a create that got no answer for", "importer/owner_unanswered.sql"},
	} {
		var o struct {
			ID       int64  `db:"id"`
			SourceID string `db:"source_id"`
		}
		err := r.db.GetContext(ctx, &o, sqlqueries.MustLoad(q.query).SQL, args...)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return fail(fmt.Sprintf("%s %s staged user %s (staged id %d) by an earlier import; %s shares its email%s",
			what, q.how, o.SourceID, o.ID, this, fix)), nil
	}
	return nil, nil
}
