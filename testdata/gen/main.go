// Command gen writes deterministic, realistic source exports for tests and
// benchmarks: the same flags always give byte-identical files.
//
//	go run ./testdata/gen clerk -n 1000000 -o /tmp/clerk1m
//
// writes users.csv (a Clerk dashboard export), orgs.csv (org mapping, mixing
// the four variants of the Clerk guide, some users in two orgs) and roles.csv
// (role mapping, some users with two roles).
//
//	go run ./testdata/gen clerk -n 1000000 -changed 0.01 -added 0.005 -removed 0.002 -o /tmp/clerk1m-b
//
// writes the newer export of the same users (same -n and -seed): every user
// of the first export is as it was, except about the -removed fraction,
// which is left out (with its mapping lines), and about the -changed
// fraction, which changes one thing each, in turn: the first name,
// email_verified, the username (part of the metadata), the password digest,
// the organization (an org-mapping line) or the role (a role-mapping line).
// round(-added × n) new users follow the first export's last one. Which
// users change or go is drawn from a random stream of its own, so the first
// export's stream, and so its users, are the same with and without these
// flags.
//
//	go run ./testdata/gen firebase -n 1000000 -o /tmp/firebase1m
//
// writes users.json (a firebase auth:export) and hash_config.json (see
// firebase.go).
//
//	go run ./testdata/gen csv -n 1000000 -o /tmp/csv1m
//
// writes users.csv, a flat CSV in the WorkOS import format (see flatcsv.go).
//
//	go run ./testdata/gen auth0 -n 1000000 -o /tmp/auth01m
//
// writes users.json.gz, an Auth0 users export of the fake Management API's
// generated tenant (see auth0.go).
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) >= 2 {
		switch os.Args[1] {
		case "firebase":
			firebaseMain(os.Args[2:])
			return
		case "csv":
			csvMain(os.Args[2:])
			return
		case "auth0":
			auth0Main(os.Args[2:])
			return
		}
	}
	if len(os.Args) < 2 || os.Args[1] != "clerk" {
		fmt.Fprintln(os.Stderr, "usage: gen clerk -n N -o DIR [-seed S] [-orgs K] [-changed F -added F -removed F]\n       gen firebase -n N -o DIR [-seed S]\n       gen csv -n N -o DIR [-seed S] [-orgs K]\n       gen auth0 -n N -o DIR [-seed S]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet("clerk", flag.ExitOnError)
	n := fs.Int("n", 1000, "number of users")
	out := fs.String("o", ".", "output directory")
	seed := fs.Uint64("seed", 1, "random seed")
	orgs := fs.Int("orgs", 0, "number of organizations (default n/200, at least 3)")
	var d delta
	fs.Float64Var(&d.changed, "changed", 0, "fraction of the users that changed since the first export")
	fs.Float64Var(&d.added, "added", 0, "fraction of n: new users after the first export's")
	fs.Float64Var(&d.removed, "removed", 0, "fraction of the users that are no longer in the export")
	fs.Parse(os.Args[2:])
	if *orgs == 0 {
		*orgs = max(3, *n/200)
	}
	if err := clerk(*out, *n, *orgs, *seed, d); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

var (
	firstNames = []string{"Ada", "Bruno", "Chloé", "Dmitri", "Eve", "Farah", "Gustav", "Hana", "Ibrahim", "Jun", "Kai", "Léa", "Mateo", "Nia", "Oscar", "Priya", "Quentin", "Rosa", "Sven", "Tomás", "Uma", "Valentina", "Wei", "Ximena", "Yusuf", "Zoë"}
	lastNames  = []string{"Okafor", "Müller", "García", "Nguyen", "Smith", "Kowalski", "Rossi", "Tanaka", "O'Brien", "van der Berg", "Johansson", "Dubois", "Silva", "Kim", "Patel", "Cohen"}
	domains    = []string{"example.com", "example.org", "mail.example.net", "corp.example.io"}
	// A bcrypt digest of "password" (cost 10), so generated users can sign in.
	bcryptDigest = "$2a$10$fgPOubgdJs90F1GK2u.Qye7Xyyi2ajrQJoB5LDG5bnITEvFR/xhZ."
	// A bcrypt digest of "password2" (cost 10): a changed password.
	bcryptDigest2 = "$2a$10$EanyrA2FuaM1nzU.tcfuZehgSKM2mKfffLpirp5.h0rBqm03WlT8i"
	argonDigest   = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$0Wp7x1Jxq3m2y4rYgC7HvJ1n4M0p2r8ZbWm6yQk0t3s"
	pbkdfDigest   = "pbkdf2_sha256$600000$c2FsdHNhbHQ=$MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI="
	roleSlugs     = []string{"org-admin", "org-editor", "org-viewer", "org-billing"}
)

func create(dir, name string) (*os.File, *bufio.Writer, *csv.Writer, error) {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	return f, bw, csv.NewWriter(bw), nil
}

// delta says how a newer export differs from the first one (see the
// package comment); the zero delta is the first export.
type delta struct{ changed, added, removed float64 }

// The kinds of change of a changed user, one each, in turn.
const (
	changeName = iota
	changeVerified
	changeMetadata
	changeHash
	changeOrg
	changeRole
	changeKinds
)

func clerk(dir string, n, orgs int, seed uint64, d delta) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 42))
	// The delta's own stream: drawn once per user of the first export,
	// whatever the flags, so that the same seed picks the same users.
	drng := rand.New(rand.NewPCG(seed, 43))
	added := int(d.added*float64(n) + 0.5)
	kind := 0
	uf, ub, uw, err := create(dir, "users.csv")
	if err != nil {
		return err
	}
	of, ob, ow, err := create(dir, "orgs.csv")
	if err != nil {
		return err
	}
	rf, rb, rw, err := create(dir, "roles.csv")
	if err != nil {
		return err
	}
	uw.Write([]string{"id", "first_name", "last_name", "username", "primary_email_address", "primary_phone_number",
		"verified_email_addresses", "unverified_email_addresses", "verified_phone_numbers", "unverified_phone_numbers",
		"totp_secret", "password_digest", "password_hasher"})
	ow.Write([]string{"clerk_user_id", "org_id", "org_external_id", "org_name"})
	rw.Write([]string{"clerk_user_id", "role_slug"})
	const b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	for i := 0; i < n+added; i++ {
		removed, change := false, -1
		if i < n {
			x := drng.Float64()
			removed = x < d.removed
			if !removed && x < d.removed+d.changed {
				change, kind = kind, (kind+1)%changeKinds
			}
		}
		id := fmt.Sprintf("user_2%025d", i)
		fn := firstNames[rng.IntN(len(firstNames))]
		ln := lastNames[rng.IntN(len(lastNames))]
		email := fmt.Sprintf("user%d@%s", i, domains[i%len(domains)])
		verified, unverified := email, ""
		if i%25 == 0 {
			verified, unverified = "", email
		}
		if i%40 == 0 {
			unverified = joinNonEmpty(unverified, fmt.Sprintf("alt%d@%s", i, domains[(i+1)%len(domains)]))
		}
		phone, vphones := "", ""
		if i%7 == 0 {
			phone = fmt.Sprintf("+1555%07d", i%10000000)
			vphones = phone
		}
		username := ""
		if i%3 == 0 {
			username = "u" + strconv.Itoa(i)
		}
		totp := ""
		if i%20 == 0 {
			b := make([]byte, 32)
			for j := range b {
				b[j] = b32[rng.IntN(32)]
			}
			totp = string(b)
		}
		digest, hasher := "", ""
		switch r := i % 100; {
		case r < 80:
			digest, hasher = bcryptDigest, "bcrypt"
		case r < 85:
			digest, hasher = argonDigest, "argon2id"
		case r < 88:
			digest, hasher = pbkdfDigest, "pbkdf2_sha256"
		case r < 90:
			digest, hasher = "5f4dcc3b5aa765d61d8327deb882cf99", "md5"
		}
		primary := email
		if i%1000 == 999 {
			primary, verified, unverified = "", "", "" // phone-only user: skipped
			phone, vphones = fmt.Sprintf("+1666%07d", i%10000000), fmt.Sprintf("+1666%07d", i%10000000)
		}
		switch change {
		case changeName:
			fn = "Renamed " + fn
		case changeVerified:
			if verified != "" {
				verified, unverified = "", joinNonEmpty(verified, unverified)
			} else if primary != "" {
				verified, unverified = primary, strings.TrimPrefix(strings.TrimPrefix(unverified, primary), "|")
			}
		case changeMetadata:
			username = "renamed" + strconv.Itoa(i)
		case changeHash:
			digest, hasher = bcryptDigest2, "bcrypt"
		}
		if !removed {
			uw.Write([]string{id, fn, ln, username, primary, phone, verified, unverified, vphones, "", totp, digest, hasher})
		}

		// Org mapping: 90% of users in one org, 10% of those in a second.
		if i%10 != 9 {
			o := rng.IntN(orgs)
			role := roleSlugs[rng.IntN(len(roleSlugs))]
			if change == changeOrg {
				o = (o + 2) % orgs
			}
			if change == changeRole {
				role = roleSlugs[(slices.Index(roleSlugs, role)+1)%len(roleSlugs)]
			}
			if !removed {
				ow.Write(orgRow(id, o))
				if i%10 == 0 {
					ow.Write(orgRow(id, (o+1)%orgs))
				}
				rw.Write([]string{id, role})
				if i%15 == 0 {
					rw.Write([]string{id, "org-admin"})
				}
			}
		}
	}
	for _, w := range []*csv.Writer{uw, ow, rw} {
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
	}
	for _, b := range []*bufio.Writer{ub, ob, rb} {
		if err := b.Flush(); err != nil {
			return err
		}
	}
	for _, f := range []*os.File{uf, of, rf} {
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

// orgRow gives org o one of the guide's four mapping variants, fixed per org
// so every line for an org agrees.
func orgRow(user string, o int) []string {
	switch o % 4 {
	case 0:
		return []string{user, fmt.Sprintf("org_01GEN%021d", o), "", ""}
	case 1, 2:
		return []string{user, "", fmt.Sprintf("acct-%d", o), fmt.Sprintf("Account %d", o)}
	default:
		return []string{user, "", "", fmt.Sprintf("Team %d", o)}
	}
}

func joinNonEmpty(a, b string) string {
	if a == "" {
		return b
	}
	return a + "|" + b
}
