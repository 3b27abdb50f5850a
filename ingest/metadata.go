package ingest

import (
	"fmt"
	"unicode/utf8"
)

// WorkOS's limits on user metadata (the metadata schema of its OpenAPI
// spec): at most 50 keys, keys of at most 40 characters, string values of
// at most 600. Sources fit what they put in metadata to them with
// FitMetadata; mig check's metadata_limits rule reports what a package or
// a fix left over them.
const (
	MaxMetadataKeys       = 50
	MaxMetadataKeyChars   = 40
	MaxMetadataValueChars = 600
)

// MetadataEntry is one candidate metadata entry, in the order a source
// offers it: the entries a source needs most come first.
type MetadataEntry struct{ Key, Value string }

// MetadataProblem says why an entry was left out of metadata: a warning
// code and a message for people. The value itself stays in users.raw.
type MetadataProblem struct {
	Key, Code, Message string
}

// FitMetadata keeps the entries that fit WorkOS's limits, in order: the
// first of two entries with one key wins, and once the keys are all taken
// the rest are left out. A value that does not fit is left out whole,
// never cut short. Empty values are not metadata and are passed over
// without a problem.
func FitMetadata(entries []MetadataEntry) (map[string]string, []MetadataProblem) {
	m := make(map[string]string, len(entries))
	var problems []MetadataProblem
	left := func(key, code, format string, args ...any) {
		problems = append(problems, MetadataProblem{Key: key, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	for _, e := range entries {
		if e.Value == "" {
			continue
		}
		if _, taken := m[e.Key]; taken {
			left(e.Key, "metadata_key_taken", "metadata key %s is already used by mig; this value is left out of metadata (it stays in users.raw)", Excerpt(e.Key))
			continue
		}
		// A string has no more characters than bytes: only long ones are
		// counted (a million users' metadata goes through here).
		if n := len(e.Key); n > MaxMetadataKeyChars && utf8.RuneCountInString(e.Key) > MaxMetadataKeyChars {
			n = utf8.RuneCountInString(e.Key)
			left(e.Key, "metadata_key_too_long", "metadata key %s is %d characters, over WorkOS's %d; it is left out of metadata (it stays in users.raw)", Excerpt(e.Key), n, MaxMetadataKeyChars)
			continue
		}
		if n := len(e.Value); n > MaxMetadataValueChars && utf8.RuneCountInString(e.Value) > MaxMetadataValueChars {
			n = utf8.RuneCountInString(e.Value)
			left(e.Key, "metadata_value_too_long", "metadata %s is %d characters, over WorkOS's %d; it is left out of metadata (it stays in users.raw)", e.Key, n, MaxMetadataValueChars)
			continue
		}
		if len(m) == MaxMetadataKeys {
			left(e.Key, "metadata_too_many_keys", "metadata %s is left out: WorkOS takes at most %d keys and they are taken (it stays in users.raw)", e.Key, MaxMetadataKeys)
			continue
		}
		m[e.Key] = e.Value
	}
	return m, problems
}
