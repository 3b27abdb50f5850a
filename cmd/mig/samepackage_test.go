package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var updatePackages = flag.Bool("update-packages", false, "rewrite testdata/golden-packages/*.sha256 from the packages this tree emits")

// TestEmittedPackagesUnchanged stages the bundled demo sample and a
// generated 10,000-user Clerk export through the real commands, emits each
// and compares every file of the package with the digests recorded in
// testdata/golden-packages. The digests were taken before the ingest code
// was restructured into the source kit; a change to how a source is read
// that changes one byte of what reaches WorkOS fails here. Digests, not
// copies, keep the 10,000-user package out of the repository; on a
// mismatch, -update-packages on the old tree and on the new one and a diff
// of the two packages (kept with MIG_KEEP_PACKAGES=DIR) shows the change.
func TestEmittedPackagesUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("stages and emits 10,000 users")
	}
	for _, c := range []struct {
		name  string
		stage func(t *testing.T, dir string) [][]string
	}{
		{"demo", func(t *testing.T, dir string) [][]string {
			if err := writeDemoSample(dir); err != nil {
				t.Fatal(err)
			}
			s := func(name string) string { return filepath.Join(dir, name) }
			return [][]string{
				{"ingest", "clerk", s("clerk-export.csv"), "--org-mapping", s("clerk-org-mapping.csv"), "--role-mapping", s("clerk-role-mapping.csv"), "--totp-issuer", "mig demo"},
				{"ingest", "roles", "--definitions", s("role-definitions.csv")},
			}
		}},
		{"clerk-gen-10k", func(t *testing.T, dir string) [][]string {
			gen := exec.Command("go", "run", "../../testdata/gen", "clerk", "-n", "10000", "-o", dir)
			if out, err := gen.CombinedOutput(); err != nil {
				t.Fatalf("gen: %v\n%s", err, out)
			}
			s := func(name string) string { return filepath.Join(dir, name) }
			return [][]string{{"ingest", "clerk", s("users.csv"), "--org-mapping", s("orgs.csv"), "--role-mapping", s("roles.csv")}}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			db := filepath.Join(tmp, "mig.db")
			pkg := filepath.Join(tmp, "package")
			if keep := os.Getenv("MIG_KEEP_PACKAGES"); keep != "" {
				pkg = filepath.Join(keep, c.name)
				os.RemoveAll(pkg)
			}
			steps := c.stage(t, filepath.Join(tmp, "input"))
			steps = append(steps, []string{"emit", "--output-dir", pkg, "--generated-at", "2026-01-02T03:04:05Z"})
			for _, args := range steps {
				var stdout, stderr bytes.Buffer
				if code := run(context.Background(), append([]string{"--db", db}, args...), nil, &stdout, &stderr); code != exitOK {
					t.Fatalf("mig %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
				}
			}
			got, err := packageDigests(pkg)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("..", "..", "testdata", "golden-packages", c.name+".sha256")
			if *updatePackages {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("the emitted package differs from %s:\n%s", golden, diffLines(string(want), got))
			}
		})
	}
}

// timestamps are the per-row times in the JSONL files of a package: when
// the warning or skip was recorded, which differs from run to run.
var timestamps = regexp.MustCompile(`"timestamp":"[^"]*"`)

// packageDigests lists every file of the package with the SHA-256 of its
// content, in sha256sum's format, timestamps of JSONL rows blanked.
func packageDigests(dir string) (string, error) {
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".jsonl") {
			b = timestamps.ReplaceAll(b, []byte(`"timestamp":"TIMESTAMP"`))
		}
		rel, _ := filepath.Rel(dir, p)
		sum := sha256.Sum256(b)
		lines = append(lines, fmt.Sprintf("%s  %s", hex.EncodeToString(sum[:]), filepath.ToSlash(rel)))
		return nil
	})
	sort.Slice(lines, func(i, j int) bool { return lines[i][66:] < lines[j][66:] })
	return strings.Join(lines, "\n") + "\n", err
}

// diffLines lists the lines of want missing from got and the other way round.
func diffLines(want, got string) string {
	set := func(s string) map[string]bool {
		m := map[string]bool{}
		sc := bufio.NewScanner(strings.NewReader(s))
		for sc.Scan() {
			m[sc.Text()] = true
		}
		return m
	}
	w, g := set(want), set(got)
	var out []string
	for l := range w {
		if !g[l] {
			out = append(out, "- "+l)
		}
	}
	for l := range g {
		if !w[l] {
			out = append(out, "+ "+l)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
