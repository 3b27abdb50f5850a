package firebase_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/firebase"
	"github.com/mig-tools/mig/ingest/ingesttest"
)

// discard is a Sink that drops everything; encode makes it compute the
// user's JSON columns and content hash as the kit's run does on its own
// goroutine.
type discard struct{ encode bool }

func (d discard) AddUser(_ context.Context, _ string, u *ingest.User) error {
	if d.encode {
		return u.Encode()
	}
	return nil
}
func (discard) Skip(context.Context, string, int, string, string, string, any) error { return nil }
func (discard) Warn(context.Context, ingest.Warning) error                           { return nil }
func (discard) AddOrgMappingRow(context.Context, string, ingest.OrgMappingRow) error {
	return nil
}
func (discard) AddRoleMappingRow(context.Context, string, ingest.RoleMappingRow) error {
	return nil
}
func (discard) AddOrganization(context.Context, string, ingest.Organization) error {
	return nil
}
func (discard) AddRoleDefinition(context.Context, string, ingest.RoleDefinition) error {
	return nil
}
func (discard) AddSSOConnection(context.Context, string, ingest.SSOConnection) error {
	return nil
}

// BenchmarkRead decodes and maps a generated export (testdata/gen firebase;
// MIG_BENCH_FIREBASE_USERS users, 100000 by default) and reports users/s:
//
//	go test ./ingest/firebase -run '^$' -bench Read -benchtime 3x
func BenchmarkRead(b *testing.B) {
	n := 100000
	if s := os.Getenv("MIG_BENCH_FIREBASE_USERS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	gen := exec.Command("go", "run", "../../testdata/gen", "firebase", "-n", strconv.Itoa(n), "-o", dir)
	if out, err := gen.CombinedOutput(); err != nil {
		b.Skipf("cannot generate the export: %v\n%s", err, out)
	}
	hc, err := firebase.LoadHashConfig(filepath.Join(dir, "hash_config.json"))
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "users.json")
	st, _ := os.Stat(path)
	for _, bc := range []struct {
		name string
		sink discard
	}{{"map", discard{}}, {"map+encode", discard{encode: true}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(st.Size())
			rows := 0
			for b.Loop() {
				if err := firebase.Decode(context.Background(), ingesttest.Files{}, bc.sink, firebase.Options{File: path, Hash: &hc}); err != nil {
					b.Fatal(err)
				}
				rows += n
			}
			b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "users/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}
