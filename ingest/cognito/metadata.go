package cognito

import (
	"fmt"
	"unicode/utf8"
)

// WorkOS's limits on user metadata (the metadata schema of its OpenAPI
// spec: at most 50 properties, names of at most 40 characters, string values
// of at most 600). A value that does not fit is left out with a warning
// naming its key, never cut short. ingest/firebase has the same file: sources may
// not import each other, and the source kit is where it belongs once it has
// a place for metadata.
const (
	maxMetadataKeys     = 50
	maxMetadataKeyLen   = 40
	maxMetadataValueLen = 600
)

// metaPair is one candidate metadata entry, in the order it is offered.
type metaPair struct{ key, value string }

// metaProblem says why one candidate entry was left out of metadata.
type metaProblem struct{ key, reason string }

// fitMetadata keeps the candidates that fit WorkOS's limits, in order: the
// first of two entries with one key wins, and once 50 keys are taken the
// rest are left out. Empty values are not metadata and are passed over
// without a problem.
func fitMetadata(pairs []metaPair) (map[string]string, []metaProblem) {
	m := make(map[string]string, len(pairs))
	var problems []metaProblem
	for _, p := range pairs {
		if p.value == "" {
			continue
		}
		if _, taken := m[p.key]; taken {
			problems = append(problems, metaProblem{p.key, fmt.Sprintf("metadata key %q is already used by mig; this value is left out of metadata (it stays in users.raw)", p.key)})
			continue
		}
		if n := utf8.RuneCountInString(p.key); n > maxMetadataKeyLen {
			problems = append(problems, metaProblem{p.key, fmt.Sprintf("metadata key %q is %d characters, over WorkOS's %d; it is left out of metadata (it stays in users.raw)", p.key, n, maxMetadataKeyLen)})
			continue
		}
		if n := utf8.RuneCountInString(p.value); n > maxMetadataValueLen {
			problems = append(problems, metaProblem{p.key, fmt.Sprintf("metadata %s is %d characters, over WorkOS's %d; it is left out of metadata (it stays in users.raw)", p.key, n, maxMetadataValueLen)})
			continue
		}
		if len(m) == maxMetadataKeys {
			problems = append(problems, metaProblem{p.key, fmt.Sprintf("metadata %s is left out: WorkOS takes at most %d keys and they are taken (it stays in users.raw)", p.key, maxMetadataKeys)})
			continue
		}
		m[p.key] = p.value
	}
	return m, problems
}
