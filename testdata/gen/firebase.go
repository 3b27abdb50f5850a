package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// The firebase/scrypt README's example: the hash and salt of
// "user1password" under its hash_config, so generated users can sign in.
const (
	firebaseHash       = "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ=="
	firebaseSalt       = "42xEC+ixf3L2lw=="
	firebaseHashConfig = `{
  "hash_config": {
    "algorithm": "SCRYPT",
    "base64_signer_key": "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==",
    "base64_salt_separator": "Bw==",
    "rounds": 8,
    "mem_cost": 14
  }
}
`
)

func firebaseMain(args []string) {
	fs := flag.NewFlagSet("firebase", flag.ExitOnError)
	n := fs.Int("n", 1000, "number of users")
	out := fs.String("o", ".", "output directory")
	seed := fs.Uint64("seed", 1, "random seed")
	fs.Parse(args)
	if err := firebase(*out, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// firebase writes users.json, laid out as `firebase auth:export` writes it
// (each user indented by two spaces, users separated by ",\n"), and
// hash_config.json. Most users have a password; some sign in with Google
// only, some have a phone number, custom claims, or are disabled; one in a
// thousand is phone-only (skipped on ingest).
func firebase(dir string, n int, seed uint64) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "hash_config.json"), []byte(firebaseHashConfig), 0o600); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, "users.json"), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(seed, 43))
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	w.WriteString("{\"users\": [\n")
	for i := 0; i < n; i++ {
		if i > 0 {
			w.WriteString(",\n")
		}
		id := fmt.Sprintf("fb%026d", i)
		fn := firstNames[rng.IntN(len(firstNames))]
		ln := lastNames[rng.IntN(len(lastNames))]
		email := fmt.Sprintf("user%d@%s", i, domains[i%len(domains)])
		created := 1600000000000 + int64(i)*60000
		fmt.Fprintf(w, "{\n  \"localId\": %q,\n", id)
		if i%1000 == 999 {
			fmt.Fprintf(w, "  \"phoneNumber\": \"+1666%07d\",\n  \"createdAt\": \"%d\",\n  \"providerUserInfo\": [\n    {\n      \"providerId\": \"phone\",\n      \"rawId\": \"+1666%07d\"\n    }\n  ]\n}", i%10000000, created, i%10000000)
			continue
		}
		fmt.Fprintf(w, "  \"email\": %s,\n  \"emailVerified\": %t,\n  \"displayName\": %s,\n", q(email), i%25 != 0, q(fn+" "+ln))
		google := i%100 >= 85
		if !google {
			fmt.Fprintf(w, "  \"passwordHash\": %q,\n  \"salt\": %q,\n", firebaseHash, firebaseSalt)
		} else {
			fmt.Fprintf(w, "  \"photoUrl\": \"https://lh3.googleusercontent.com/a/%d\",\n", i)
		}
		fmt.Fprintf(w, "  \"lastSignedInAt\": \"%d\",\n  \"createdAt\": \"%d\",\n", created+int64(rng.IntN(1e9)), created)
		if i%7 == 0 {
			fmt.Fprintf(w, "  \"phoneNumber\": \"+1555%07d\",\n", i%10000000)
		}
		if i%500 == 0 {
			w.WriteString("  \"disabled\": true,\n")
		}
		if i%10 == 0 {
			fmt.Fprintf(w, "  \"customAttributes\": %s,\n", q(`{"role":"`+roleSlugs[i%len(roleSlugs)]+`","tier":`+strconv.Itoa(i%4)+`}`))
		}
		w.WriteString("  \"providerUserInfo\": [\n    {\n")
		if google {
			fmt.Fprintf(w, "      \"providerId\": \"google.com\",\n      \"rawId\": \"1%020d\",\n      \"email\": %s,\n      \"displayName\": %s,\n      \"photoUrl\": \"https://lh3.googleusercontent.com/a/%d\"\n", i, q(email), q(fn+" "+ln), i)
		} else {
			fmt.Fprintf(w, "      \"providerId\": \"password\",\n      \"rawId\": %s,\n      \"email\": %s,\n      \"displayName\": %s\n", q(email), q(email), q(fn+" "+ln))
		}
		w.WriteString("    }\n  ]\n}")
	}
	w.WriteString("]}\n")
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
