package importer_test

import (
	"context"
	"testing"

	"github.com/mig-tools/mig/importer"
	"github.com/mig-tools/mig/importer/workosemu"
)

// The fault tests run one import against an emulator that misbehaves in
// one way, chosen at a request the test picks, and then check what
// `mig reconcile` would: every staged row done, once, as staged.

// faultUsers is how many users a fault test stages.
func faultUsers() int { return pick(150, 2000) }

// faultOpts is opts with eight workers, so that a fault meets several
// requests in flight.
func faultOpts(url string) importer.Options {
	o := opts(url)
	o.Concurrency = 8
	return o
}

// A 5xx that comes after WorkOS applied the write (a gateway that gave up
// on a backend which committed): a create answered so may exist, so it is
// looked up, never simply sent again.
func TestFault5xxAfterTheWrite(t *testing.T) {
	s := richStage(t, faultUsers())
	emu, _, url := gatedEmulator(t, workosemu.Options{FaultAfterRate: 0.1, Seed: 3})
	if _, err := importer.Run(context.Background(), s.db, faultOpts(url)); err != nil {
		t.Fatalf("import: %v", err)
	}
	t.Logf("faults: %+v", emu.Faults())
	if emu.Faults().ServerErrorsAfter == 0 {
		t.Fatal("no fault injected")
	}
	assertClean(t, s.db, emu.Snapshot())
}
