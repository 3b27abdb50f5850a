package importer_test

import (
	"context"
	"testing"

	"github.com/mig-tools/mig/importer"
)

func TestPlanChangesNothing(t *testing.T) {
	ctx := context.Background()
	s, members := bigStage(t, 100)
	o := importer.Options{Plan: true}
	sum, err := importer.Run(ctx, s.db, o)
	if err != nil {
		t.Fatal(err)
	}
	var items int
	s.db.Get(&items, `SELECT count(*) FROM import_items`)
	if items != 0 {
		t.Fatalf("--plan left %d import items", items)
	}
	p := sum.Plan
	want := map[string]int64{"organizations name": 4, "users create": 100, "memberships create": int64(members), "totp create": 20}
	for _, r := range p.Rows {
		if want[r.Entity+" "+r.Kind] != r.Rows {
			t.Errorf("plan row %+v, want %d rows", r, want[r.Entity+" "+r.Kind])
		}
		delete(want, r.Entity+" "+r.Kind)
	}
	if len(want) > 0 {
		t.Errorf("plan lacks %v", want)
	}
	if p.Writes != int64(100+members+20) || p.Reads != 0 || p.Other != 8 {
		t.Errorf("plan requests: %d writes, %d reads, %d others", p.Writes, p.Reads, p.Other)
	}
	// 270 writes at 48 per second.
	if p.Seconds != 6 {
		t.Errorf("estimate %v s, want 6", p.Seconds)
	}
}
