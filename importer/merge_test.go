package importer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/workos/workos-go/v4/pkg/usermanagement"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/workosemu"
)

// pair is two staged people who share an email address but for its case.
type pair struct {
	a, b         int64 // staged ids
	aSrc, bSrc   string
	email        string
	bTOTP, bMemb int64
}

// stagePair stages the case: A with a password hash and a plain
// membership in orgA; B, the same address in other case, without a
// password, with a TOTP secret and the admin role in orgB.
func stagePair(s *stage, i int, orgA, orgB int64) pair {
	p := pair{aSrc: fmt.Sprintf("user_A%d", i), bSrc: fmt.Sprintf("user_B%d", i), email: fmt.Sprintf("shared%d@example.com", i)}
	p.a = s.user(userSpec{sourceID: p.aSrc, email: p.email, first: "Alice"})
	s.member(p.a, orgA)
	p.b = s.user(userSpec{sourceID: p.bSrc, email: strings.ToUpper(p.email[:1]) + p.email[1:strings.Index(p.email, "@")] + "@Example.com", first: "Bob"})
	s.exec(`UPDATE users SET password_hash = NULL, password_hash_type = NULL WHERE id = ?`, p.b)
	p.bTOTP = s.totp(p.b, "JBSWY3DPEHPK3PXP")
	p.bMemb = s.member(p.b, orgB, "admin")
	return p
}

// TestSharedEmailIsNeverMerged imports a few hundred users among whom
// several pairs share an address (case aside), at a concurrency where the
// two of a pair could be sent at once, several times over. Each time one
// of each pair is created, the other fails with email_belongs_to_other_user
// naming the first, nothing of the second (membership, role, factor) is
// attached, and the WorkOS user carries its own person's data only.
func TestSharedEmailIsNeverMerged(t *testing.T) {
	const others, pairs = 300, 6
	for round := range 4 {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
			ctx := context.Background()
			emu, url := emulator(t, workosemu.Options{AllowMultipleRoles: true, Seed: int64(round + 1)})
			s := newStage(t)
			// One transaction for the staging (the pool has one connection).
			s.exec(`BEGIN`)
			orgA := s.org("name", "", "", "Org A")
			orgB := s.org("name", "", "", "Org B")
			var ps []pair
			for i := range others {
				u := s.user(userSpec{email: fmt.Sprintf("u%d@example.com", i)})
				s.member(u, orgA)
				if i%(others/pairs) == 0 {
					ps = append(ps, stagePair(s, len(ps), orgA, orgB))
				}
			}
			s.exec(`COMMIT`)
			o := opts(url)
			o.Concurrency = 16
			_, err := importer.Run(ctx, s.db, o)
			var pe *importer.PartialError
			if !errors.As(err, &pe) || pe.Failed != 3*pairs {
				t.Fatalf("err = %v, want %d failed rows (a user, its membership and its factor per pair)", err, 3*pairs)
			}
			st := emu.Snapshot()
			if st.Counts.Users != others+pairs {
				t.Errorf("WorkOS users %d, want %d", st.Counts.Users, others+pairs)
			}
			byEmail := map[string]workosemu.User{}
			for _, u := range st.Users {
				k := strings.ToLower(u.Email)
				if _, dup := byEmail[k]; dup {
					t.Errorf("two WorkOS users for %s", k)
				}
				byEmail[k] = u
			}
			factors := map[string]int{}
			for _, f := range st.Factors {
				factors[f.UserID]++
			}
			roles := membershipsOf(st)
			for _, p := range ps {
				type row struct{ Status, Code, Message, WorkOSID string }
				get := func(entity string, id int64) row {
					var r row
					if err := s.db.QueryRow(`SELECT status, coalesce(error_code, ''), coalesce(message, ''), coalesce(workos_id, '')
						FROM import_items WHERE entity = ? AND entity_id = ?`, entity, id).Scan(&r.Status, &r.Code, &r.Message, &r.WorkOSID); err != nil {
						t.Fatal(err)
					}
					return r
				}
				a, b := get("user", p.a), get("user", p.b)
				w := byEmail[p.email]
				winner, loser, loserSrc, winnerSrc := a, b, p.bSrc, p.aSrc
				if b.Status == "done" {
					winner, loser, loserSrc, winnerSrc = b, a, p.aSrc, p.bSrc
				}
				if winner.Status != "done" || winner.WorkOSID != w.ID || loser.Status != "failed" || loser.Code != "email_belongs_to_other_user" {
					t.Fatalf("%s: A %+v, B %+v; want one done and the other failed email_belongs_to_other_user", p.email, a, b)
				}
				if !strings.Contains(loser.Message, winnerSrc) {
					t.Errorf("%s: the failure of %s does not name %s: %s", p.email, loserSrc, winnerSrc, loser.Message)
				}
				if winnerSrc == p.aSrc {
					// A's data only: A's hash and name, A's membership, no factor,
					// nothing in org B.
					if w.PasswordHash != bcryptHash || *w.FirstName != "Alice" || factors[w.ID] != 0 {
						t.Errorf("%s: WorkOS user %+v carries B's data (factors %d)", p.email, w, factors[w.ID])
					}
					if _, inB := roles[w.Email+" Org B"]; inB {
						t.Errorf("%s: A's WorkOS user got B's membership in Org B", p.email)
					}
					for entity, id := range map[string]int64{"membership": p.bMemb, "totp": p.bTOTP} {
						if r := get(entity, id); r.Status != "failed" || r.Code != "dependency_failed" || !strings.Contains(r.Message, "email_belongs_to_other_user") {
							t.Errorf("%s: B's %s row %+v, want failed dependency_failed pointing at the user's error", p.email, entity, r)
						}
					}
				} else if w.PasswordHash != "" || *w.FirstName != "Bob" {
					t.Errorf("%s: WorkOS user %+v carries A's data", p.email, w)
				}
			}
		})
	}
}

// TestAdoptOnlyWhenNothingSaysOtherwise: an existing WorkOS user is adopted
// only if its external_id is empty or the row's, and if no other staged
// user was given it by an earlier import.
func TestAdoptOnlyWhenNothingSaysOtherwise(t *testing.T) {
	ctx := context.Background()
	_, url := emulator(t, workosemu.Options{})
	um := usermanagement.NewClient(testKey)
	um.Endpoint = url
	for _, o := range []usermanagement.CreateUserOpts{
		{Email: "someone@example.com", ExternalID: "ext-someone"},
		{Email: "staged@example.com", ExternalID: "ext-staged"},
		{Email: "free@example.com"},
	} {
		if _, err := um.CreateUser(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	s := newStage(t)
	s.user(userSpec{sourceID: "mine", email: "someone@example.com", externalID: "ext-mine"})
	s.user(userSpec{sourceID: "other", email: "Staged@example.com", externalID: "ext-other"})
	s.user(userSpec{sourceID: "owner", email: "owner@example.com", externalID: "ext-staged"})
	s.user(userSpec{sourceID: "free", email: "free@example.com"})
	if _, err := importer.Run(ctx, s.db, opts(url)); err == nil {
		t.Fatal("want a partial import")
	}
	msgs := map[string]string{}
	rows, err := s.db.Query(`SELECT u.source_id, i.status || ' ' || coalesce(i.outcome, i.error_code) || ': ' || coalesce(i.message, '')
		FROM import_items i JOIN users u ON u.id = i.entity_id WHERE i.entity = 'user'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var src, m string
		rows.Scan(&src, &m)
		msgs[src] = m
	}
	rows.Close()
	for src, want := range map[string][]string{
		"mine":  {"failed email_belongs_to_other_user", `external_id "ext-someone"`, "not staged here"},
		"other": {"failed email_belongs_to_other_user", `external_id "ext-staged"`, "staged user owner"},
		"owner": {"done adopted"},
		"free":  {"done adopted"},
	} {
		for _, w := range want {
			if !strings.Contains(msgs[src], w) {
				t.Errorf("%s: %q lacks %q", src, msgs[src], w)
			}
		}
	}

	// A later ingest stages a second person with the address of one mig
	// already imported: the next run does not give them the same user.
	s.user(userSpec{sourceID: "late", email: "FREE@example.com"})
	if _, err := importer.Run(ctx, s.db, opts(url)); err == nil {
		t.Fatal("want a partial import")
	}
	var late string
	s.db.Get(&late, `SELECT i.status || ' ' || i.error_code || ': ' || i.message FROM import_items i JOIN users u ON u.id = i.entity_id WHERE u.source_id = 'late'`)
	if !strings.Contains(late, "failed email_belongs_to_other_user") || !strings.Contains(late, "staged user free") {
		t.Fatalf("late: %s", late)
	}
}
