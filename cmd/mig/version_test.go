package main

import (
	"runtime/debug"
	"testing"
)

func TestDescribeBuild(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "-buildmode", Value: "exe"},
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "1bf0555a1b2c3d4e5f60718293a4b5c6d7e8f901"},
		{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	clean := append(vcs[:4:4], debug.BuildSetting{Key: "vcs.modified", Value: "false"})
	info := func(version string, settings []debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/mig-tools/mig", Version: version}, Settings: settings}
	}
	for _, c := range []struct {
		name    string
		ldflags string
		bi      *debug.BuildInfo
		want    string
	}{
		{"no build info", "", nil, "mig devel (no VCS info)"},
		{"-buildvcs=false in a clone", "", info("(devel)", nil), "mig devel (no VCS info)"},
		{"go install ...@v1.2.3", "", info("v1.2.3", nil), "mig v1.2.3"},
		{"go build in a modified clone", "", info("v0.0.0-20260102030405-1bf0555a1b2c+dirty", vcs),
			"mig v0.0.0-20260102030405-1bf0555a1b2c+dirty (revision 1bf0555a1b2c, 2026-01-02T03:04:05Z, modified)"},
		{"go build in a clean clone, older Go", "", info("(devel)", clean),
			"mig devel (revision 1bf0555a1b2c, 2026-01-02T03:04:05Z)"},
		{"-ldflags -X main.version", "1.4.0", info("(devel)", vcs),
			"mig 1.4.0 (revision 1bf0555a1b2c, 2026-01-02T03:04:05Z, modified)"},
		{"-ldflags without VCS info", "1.4.0", info("(devel)", nil), "mig 1.4.0 (no VCS info)"},
	} {
		if got := describeBuild(c.ldflags, c.bi); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}
