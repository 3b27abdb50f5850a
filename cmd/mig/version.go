package main

import (
	"runtime/debug"
	"strings"
)

// versionString is what `mig --version` prints: which mig this is, so that
// a bug report can name it. The version is the one set with -ldflags
// "-X main.version=...", else the module version Go recorded (a release
// tag for `go install github.com/mig-tools/mig/cmd/mig@v1.2.3`, a
// pseudo-version for a build in a clone), else "devel". The revision, its
// time and whether the work tree was modified follow when Go recorded them;
// it does not when building with -buildvcs=false, as .ci/run does, and the
// line then says so.
func versionString(ldflags string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return describeBuild(ldflags, bi)
}

// describeBuild formats the version line from the -ldflags version and the
// build information (nil when the binary carries none).
func describeBuild(ldflags string, bi *debug.BuildInfo) string {
	v := ldflags
	fromModule := false
	if v == "" && bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v, fromModule = bi.Main.Version, true
	}
	if v == "" {
		v = "devel"
	}
	var vcs []string
	if bi != nil {
		s := map[string]string{}
		for _, kv := range bi.Settings {
			s[kv.Key] = kv.Value
		}
		if rev := s["vcs.revision"]; rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			vcs = append(vcs, "revision "+rev)
			if t := s["vcs.time"]; t != "" {
				vcs = append(vcs, t)
			}
			if s["vcs.modified"] == "true" {
				vcs = append(vcs, "modified")
			}
		}
	}
	switch {
	case len(vcs) > 0:
		return "mig " + v + " (" + strings.Join(vcs, ", ") + ")"
	case fromModule:
		// A module downloaded at a version: the version says it all.
		return "mig " + v
	default:
		return "mig " + v + " (no VCS info)"
	}
}
