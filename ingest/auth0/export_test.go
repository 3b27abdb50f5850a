package auth0

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/mig-tools/mig/ingest"
)

// Clock is the time a fetch sees; tests give it a virtual one, so that no
// test waits for a rate limit or a job poll.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// WithClock returns o with the clock c.
func WithClock(o Options, c Clock) Options {
	o.clock = c
	return o
}

// UserResult is what one user maps to.
type UserResult = userResult

// MapUser maps one Auth0 user object as a fetch does, and hands it over.
func MapUser(o Options, obj []byte) (UserResult, error) {
	return NewMapper(o)(obj, 1)
}

// NewMapper returns a mapper that remembers its once-per-run warnings
// across calls, as one fetch does; each user is handed over once mapped.
func NewMapper(o Options) func(obj []byte, row int) (UserResult, error) {
	m := newMapper(o, nil)
	return func(obj []byte, row int) (UserResult, error) {
		r, err := m.mapUser(obj, "test", row)
		m.settle(&r)
		return r, err
	}
}

// RoleSlug is a role of the catalog, for slug tests.
type RoleSlug = apiRole

// RoleSlugs gives the catalog's slugs and the colliding roles' ids.
func RoleSlugs(roles []RoleSlug) (map[string]string, []string) {
	slugs, cs := roleSlugs(roles)
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.Role.ID)
	}
	return slugs, ids
}

// MapConnection maps one connection object.
func MapConnection(raw []byte, base string) (*ingest.SSOConnection, []ingest.Warning, error) {
	c, err := decodeConnection(raw)
	if err != nil {
		return nil, nil, err
	}
	s, w := mapConnection(c, 1, base, "test")
	return s, w, nil
}

// DetectHash says whether a hash is bcrypt, and why not.
var DetectHash = detectHash

// ExportFields are the fields a users-exports job is asked for.
var ExportFields = exportFields

// DecodeExport runs the bulk engine's decoding half over an export file
// (gzip or not), calling fn for each user mapped.
func DecodeExport(o Options, r io.Reader, fn func(UserResult)) error {
	nr, err := ingest.NewNDJSONReader("bench", r, o.Settings.Limits)
	if err != nil {
		return err
	}
	m := newMapper(o, nil)
	_, err = decodeExport(context.Background(), nr, m, "bench", func() {}, func(_ int, r userResult) error {
		m.settle(&r)
		fn(r)
		return nil
	})
	return err
}

// DecodeUserTwice reads a user object walking its members and through
// encoding/json; ok is false when the walk left it to encoding/json.
func DecodeUserTwice(obj []byte) (walked, decoded any, ok bool, err error) {
	w, ok := decodeUserFast(obj)
	var d apiUser
	err = json.Unmarshal(obj, &d)
	return w, d, ok, err
}

// ScanObject checks a JSON object as the export reader does.
func ScanObject(obj []byte) bool { return scanObject(obj, func(_, _ []byte) bool { return true }) }
