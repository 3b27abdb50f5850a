package auth0

import (
	"fmt"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/mig-tools/mig/ingest"
)

// apiRole is a role of the Auth0 catalog.
type apiRole struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// slugBase derives a WorkOS role slug from an Auth0 role name: lower-case,
// accents dropped, every other run of characters outside a-z and 0-9 made
// one "-". A name with nothing left ("管理者") takes the role id instead.
func slugBase(name, id string) string {
	s, _, _ := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn))), strings.ToLower(name))
	var b strings.Builder
	dash := false
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		} else {
			dash = true
		}
	}
	if b.Len() > 0 {
		return b.String()
	}
	return slugBase(strings.ReplaceAll(id, "_", "-"), "role")
}

// slugCollision is a role whose base slug another role has.
type slugCollision struct {
	Role  apiRole
	Base  string
	Slug  string
	Other apiRole // the role that kept Base
}

// roleSlugs gives every role a slug unique in the catalog. Slugs depend on
// the roles' names and ids only, never on the order Auth0 lists them: among
// roles with the same base slug, the one with the smallest id keeps it and
// the others get "-2", "-3", ... (skipping any another role has). So the
// slugs of a second ingest, or of one resumed, are the same.
func roleSlugs(roles []apiRole) (map[string]string, []slugCollision) {
	sorted := append([]apiRole(nil), roles...)
	base := make(map[string]string, len(roles))
	taken := map[string]bool{}
	for _, r := range sorted {
		base[r.ID] = slugBase(r.Name, r.ID)
		taken[base[r.ID]] = true
	}
	sort.Slice(sorted, func(i, j int) bool {
		if base[sorted[i].ID] != base[sorted[j].ID] {
			return base[sorted[i].ID] < base[sorted[j].ID]
		}
		return sorted[i].ID < sorted[j].ID
	})
	slugs := make(map[string]string, len(roles))
	var collisions []slugCollision
	for i, r := range sorted {
		b := base[r.ID]
		if i == 0 || base[sorted[i-1].ID] != b {
			slugs[r.ID] = b
			continue
		}
		n := 2
		for taken[fmt.Sprintf("%s-%d", b, n)] {
			n++
		}
		s := fmt.Sprintf("%s-%d", b, n)
		taken[s] = true
		slugs[r.ID] = s
		first := sorted[i-1]
		for j := i - 1; j >= 0 && base[sorted[j].ID] == b; j-- {
			first = sorted[j]
		}
		collisions = append(collisions, slugCollision{Role: r, Base: b, Slug: s, Other: first})
	}
	return slugs, collisions
}

// collisionWarning says which role was renamed and why.
func collisionWarning(c slugCollision, file string) ingest.Warning {
	return ingest.Warning{Code: "role_slug_collision", Entity: "role", SourceID: c.Role.ID, File: file,
		Message: fmt.Sprintf("roles %q (%s) and %q (%s) both make the slug %q; %q keeps it and %q becomes %q",
			c.Other.Name, c.Other.ID, c.Role.Name, c.Role.ID, c.Base, c.Other.Name, c.Role.Name, c.Slug),
		Context: map[string]any{"slug": c.Slug, "base": c.Base, "kept_by": c.Other.ID}}
}
