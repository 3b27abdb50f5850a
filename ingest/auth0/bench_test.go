package auth0_test

import (
	"compress/gzip"
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/ingest/auth0"
	"github.com/mig-tools/mig/ingest/auth0/auth0fake"
)

// benchUsers sizes the generated tenant of the benchmarks:
//
//	go test ./ingest/auth0 -run '^$' -bench . -benchtime 1x -auth0.users 1000000
var benchUsers = flag.Int("auth0.users", 100_000, "users in the generated tenant the benchmarks read")

var (
	exportOnce sync.Once
	exportPath string
	exportErr  error
)

// generatedExport writes, once per run, the gzip NDJSON file a
// users-exports job of the generated tenant gives.
func generatedExport(b *testing.B) string {
	exportOnce.Do(func() {
		dir, err := os.MkdirTemp("", "auth0-bench")
		if err != nil {
			exportErr = err
			return
		}
		exportPath = filepath.Join(dir, "export.json.gz")
		f, err := os.Create(exportPath)
		if err != nil {
			exportErr = err
			return
		}
		defer f.Close()
		var fields []auth0fake.Field
		for _, n := range auth0.ExportFields {
			fields = append(fields, auth0fake.Field{Name: n})
		}
		exportErr = auth0fake.WriteExport(f, auth0fake.Generate(auth0fake.GenOptions{Users: *benchUsers, Seed: 1}),
			auth0fake.ExportRequest{Format: "json", Fields: fields})
	})
	if exportErr != nil {
		b.Fatal(exportErr)
	}
	return exportPath
}

// TestMain removes the benchmarks' export file, which they share.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if exportPath != "" {
		os.RemoveAll(filepath.Dir(exportPath))
	}
	os.Exit(code)
}

// BenchmarkDecodeExport measures the bulk engine's decoding half: gunzip,
// line reading, JSON decoding, mapping and the JSON encoding of the staged
// columns, on one goroutine, with no sink.
func BenchmarkDecodeExport(b *testing.B) {
	path := generatedExport(b)
	b.ReportAllocs()
	var users int
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := cpuTime()
	start := time.Now()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		if err := auth0.DecodeExport(auth0.Options{}, zr, func(auth0.UserResult) { users++ }); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(users)/elapsed.Seconds(), "users/s")
	// The machine is shared: CPU time per user says what the decoding
	// costs whatever else runs beside it.
	b.ReportMetric(float64(cpu.Microseconds())/float64(users), "cpu-us/user")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(users), "allocs/user")
}

// cpuTime is the CPU time the process used so far (every thread: the
// garbage collector's work counts).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countSink counts what a fetch hands over and keeps nothing.
type countSink struct{ users, skips, warnings int }

func (c *countSink) AddUser(context.Context, string, *ingest.User) error { c.users++; return nil }
func (c *countSink) Skip(context.Context, string, int, string, string, string, any) error {
	c.skips++
	return nil
}
func (c *countSink) Warn(context.Context, ingest.Warning) error { c.warnings++; return nil }
func (c *countSink) AddOrgMappingRow(context.Context, string, ingest.OrgMappingRow) error {
	return nil
}
func (c *countSink) AddRoleMappingRow(context.Context, string, ingest.RoleMappingRow) error {
	return nil
}
func (c *countSink) AddOrganization(context.Context, string, ingest.Organization) error { return nil }
func (c *countSink) AddRoleDefinition(context.Context, string, ingest.RoleDefinition) error {
	return nil
}
func (c *countSink) AddSSOConnection(context.Context, string, ingest.SSOConnection) error { return nil }

// BenchmarkFetchExport measures a whole bulk-job fetch of users from the
// fake: job, download, decoding and mapping, with a sink that keeps
// nothing. The fake
// compresses the file in the same process, so it shares the CPU.
func BenchmarkFetchExport(b *testing.B) {
	srv := auth0fake.Start(b, auth0fake.Generate(auth0fake.GenOptions{Users: *benchUsers, Seed: 1}))
	srv.PollsBeforeDone = 0
	o := auth0.Options{Domain: srv.URL, ClientID: auth0fake.ClientID, ClientSecret: auth0fake.ClientSecret, RateLimit: -1,
		Engine: auth0.EngineBulkJob, Entities: []string{auth0.EntityUsers}}
	var users int
	start := time.Now()
	for b.Loop() {
		c := &countSink{}
		var last auth0.Checkpoint
		if err := auth0.Fetch(context.Background(), o, c, auth0.Checkpoint{}, func(cp auth0.Checkpoint) error {
			last = cp
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		if err := auth0.ReadExport(context.Background(), o, last, c); err != nil {
			b.Fatal(err)
		}
		users += c.users + c.skips
	}
	b.ReportMetric(float64(users)/time.Since(start).Seconds(), "users/s")
}
