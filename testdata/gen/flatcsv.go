package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
)

func csvMain(args []string) {
	fs := flag.NewFlagSet("csv", flag.ExitOnError)
	n := fs.Int("n", 1000, "number of users")
	out := fs.String("o", ".", "output directory")
	seed := fs.Uint64("seed", 1, "random seed")
	orgs := fs.Int("orgs", 0, "number of organizations (default n/200, at least 3)")
	fs.Parse(args)
	if *orgs == 0 {
		*orgs = max(3, *n/200)
	}
	if err := flatCSV(*out, *n, *orgs, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// flatCSV writes users.csv in the WorkOS import format `mig ingest csv`
// reads (the columns of `mig template users`): one row per user and
// organization, 10% of users in two organizations and so on two rows, role
// slugs on most rows. Most users have a bcrypt hash, some argon2 or pbkdf2,
// some an md5 digest WorkOS cannot take (kept aside with a warning), some
// none; some have metadata, some a second role. One user in a thousand has
// no email address (skipped on ingest), one row in five hundred carries
// metadata that is not a JSON object (staged without it, with a warning).
func flatCSV(dir string, n, orgs int, seed uint64) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, bw, w, err := create(dir, "users.csv")
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 44))
	w.Write([]string{"email", "password", "password_hash", "password_hash_type", "first_name", "last_name", "email_verified",
		"external_id", "metadata", "org_id", "org_external_id", "org_name", "role_slugs"})
	for i := 0; i < n; i++ {
		fn := firstNames[rng.IntN(len(firstNames))]
		ln := lastNames[rng.IntN(len(lastNames))]
		email := fmt.Sprintf("user%d@%s", i, domains[i%len(domains)])
		if i%1000 == 999 {
			email = "" // no email: skipped
		}
		hash, typ := "", ""
		switch r := i % 100; {
		case r < 80:
			hash, typ = bcryptDigest, "bcrypt"
		case r < 85:
			hash, typ = argonDigest, "argon2"
		case r < 88:
			hash, typ = "$pbkdf2-sha256$i=600000,l=32$c2FsdHNhbHQ$MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI", "pbkdf2"
		case r < 90:
			hash, typ = "5f4dcc3b5aa765d61d8327deb882cf99", "md5"
		}
		verified := "true"
		if i%25 == 0 {
			verified = "false"
		}
		meta := ""
		switch {
		case i%500 == 1:
			meta = "plan: pro"
		case i%4 == 0:
			meta = `{"department":"` + []string{"Engineering", "Sales", "Support", "Finance"}[rng.IntN(4)] + `","seat":"` + strconv.Itoa(i%97) + `"}`
		}
		user := []string{email, "", hash, typ, fn, ln, verified, fmt.Sprintf("ext-%08d", i), meta}
		if i%10 == 9 {
			w.Write(append(user, "", "", "", ""))
			continue
		}
		roles := roleSlugs[rng.IntN(len(roleSlugs))]
		if i%15 == 0 {
			roles += "|org-admin"
		}
		o := rng.IntN(orgs)
		w.Write(append(user, flatOrg(o, roles)...))
		if i%10 == 0 {
			w.Write(append(user, flatOrg((o+1)%orgs, roles)...))
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// flatOrg gives org o its org columns: by WorkOS id for one org in four,
// otherwise by external id and name, fixed per org so every row agrees.
func flatOrg(o int, roles string) []string {
	if o%4 == 0 {
		return []string{fmt.Sprintf("org_01GEN%021d", o), "", "", roles}
	}
	return []string{"", fmt.Sprintf("acct-%d", o), fmt.Sprintf("Account %d", o), roles}
}
