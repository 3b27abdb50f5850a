package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fbVectorSet is a set of the public firebase-scrypt vectors with the hash
// parameters they were made with.
type fbVectorSet struct {
	Source     string `json:"source"`
	HashConfig struct {
		SignerKey     string `json:"base64_signer_key"`
		SaltSeparator string `json:"base64_salt_separator"`
		Rounds        int    `json:"rounds"`
		MemCost       int    `json:"mem_cost"`
	} `json:"hash_config"`
	Vectors []struct {
		Password string `json:"password"`
		Salt     string `json:"salt"`
		Hash     string `json:"passwordHash"`
	} `json:"vectors"`
}

// cli runs mig in-process on db with stdin and returns its exit code and
// output.
func cli(t *testing.T, db, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"--db", db}, args...), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestFirebaseVerifyPassword ingests the 29 public firebase-scrypt vectors
// (one export per set of hash parameters, which are given each way the
// command takes them: a JSON hash config, the console's block, the four
// flags) and the two samples whose password is user1password, then proves
// with mig verify-password that each staged hash accepts its password, and
// that a wrong password, and a hash staged with wrong parameters, do not.
func TestFirebaseVerifyPassword(t *testing.T) {
	if testing.Short() {
		t.Skip("31 scrypt derivations")
	}
	b, err := os.ReadFile("../../testdata/fixtures/firebase/firebase-scrypt-test-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Sets []fbVectorSet }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "mig.db")
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	export := func(name string, users []map[string]string) string {
		js, _ := json.Marshal(map[string]any{"users": users})
		return write(name, string(js))
	}
	type check struct{ email, password string }
	var checks []check
	for si, set := range doc.Sets {
		c := set.HashConfig
		var users []map[string]string
		for vi, v := range set.Vectors {
			email := fmt.Sprintf("s%dv%d@example.com", si, vi)
			users = append(users, map[string]string{"localId": fmt.Sprintf("s%dv%d", si, vi), "email": email, "passwordHash": v.Hash, "salt": v.Salt})
			checks = append(checks, check{email, v.Password})
		}
		args := []string{"ingest", "firebase", export(fmt.Sprintf("set%d.json", si), users), "--source-tenant", fmt.Sprint("set", si)}
		switch si % 3 {
		case 0:
			hc, _ := json.Marshal(map[string]any{"hash_config": map[string]any{"algorithm": "SCRYPT", "base64_signer_key": c.SignerKey,
				"base64_salt_separator": c.SaltSeparator, "rounds": c.Rounds, "mem_cost": c.MemCost}})
			args = append(args, "--hash-config", write(fmt.Sprintf("hash%d.json", si), string(hc)))
		case 1:
			args = append(args, "--hash-config", write(fmt.Sprintf("hash%d.txt", si), fmt.Sprintf(
				"hash_config {\n  algorithm: SCRYPT,\n  base64_signer_key: %s,\n  base64_salt_separator: %s,\n  rounds: %d,\n  mem_cost: %d,\n}\n",
				c.SignerKey, c.SaltSeparator, c.Rounds, c.MemCost)))
		default:
			args = append(args, "--signer-key", c.SignerKey, "--salt-separator", c.SaltSeparator, "--rounds", fmt.Sprint(c.Rounds), "--memory-cost", fmt.Sprint(c.MemCost))
		}
		if code, _, stderr := cli(t, db, "", args...); code != 0 {
			t.Fatalf("ingest set %d: exit %d: %s", si, code, stderr)
		}
	}
	if len(checks) != 29 {
		t.Fatalf("%d vectors, the fixture has 29", len(checks))
	}
	// The two samples with user1password: the README's CSV row and the
	// keycloak importer's example with its hash_config file.
	fixtures := "../../testdata/fixtures/firebase/"
	hc := fixtures + "smartmove-firebase-keycloak-importer_example_hash_config.json"
	for tenant, file := range map[string]string{"readme": "firebase-scrypt_README_auth-export-row_noheader.csv", "keycloak": "smartmove-firebase-keycloak-importer_example_users.json"} {
		if code, _, stderr := cli(t, db, "", "ingest", "firebase", fixtures+file, "--hash-config", hc, "--source-tenant", tenant); code != 0 {
			t.Fatalf("ingest %s: exit %d: %s", file, code, stderr)
		}
	}
	checks = append(checks, check{"user1@test.com", "user1password"}, check{"test@example.com", "user1password"})

	for _, c := range checks {
		code, stdout, stderr := cli(t, db, c.password+"\n", "verify-password", c.email)
		if code != 0 || !strings.Contains(stdout, "match: the password matches its firebase-scrypt hash") {
			t.Errorf("verify-password %s: exit %d\n%s%s", c.email, code, stdout, stderr)
		}
	}
	if code, stdout, _ := cli(t, db, checks[0].password+"x\n", "verify-password", checks[0].email); code != exitFailure || !strings.Contains(stdout, "no match") {
		t.Errorf("a wrong password: exit %d, %s", code, stdout)
	}

	// The last set's first vector staged with the parameters of the set
	// before it (another signer key), and with the right key but the wrong
	// rounds: the right password does not match either.
	last, prev := doc.Sets[len(doc.Sets)-1], doc.Sets[len(doc.Sets)-2].HashConfig
	v := last.Vectors[0]
	for i, p := range [][]string{
		{"--signer-key", prev.SignerKey, "--salt-separator", prev.SaltSeparator, "--rounds", fmt.Sprint(prev.Rounds), "--memory-cost", fmt.Sprint(prev.MemCost)},
		{"--signer-key", last.HashConfig.SignerKey, "--salt-separator", last.HashConfig.SaltSeparator, "--rounds", fmt.Sprint(last.HashConfig.Rounds - 1), "--memory-cost", fmt.Sprint(last.HashConfig.MemCost)},
	} {
		email := fmt.Sprintf("wrong%d@example.com", i)
		f := export(fmt.Sprintf("wrong%d.json", i), []map[string]string{{"localId": "w", "email": email, "passwordHash": v.Hash, "salt": v.Salt}})
		if code, _, stderr := cli(t, db, "", append([]string{"ingest", "firebase", f, "--source-tenant", fmt.Sprint("wrong", i)}, p...)...); code != 0 {
			t.Fatalf("ingest with wrong parameters: exit %d: %s", code, stderr)
		}
		if code, stdout, _ := cli(t, db, v.Password+"\n", "verify-password", email); code != exitFailure || !strings.Contains(stdout, "no match") {
			t.Errorf("wrong parameters %d: exit %d, %s", i, code, stdout)
		}
	}
}
