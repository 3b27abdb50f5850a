package workosemu

import (
	"fmt"
	"strings"
)

// AddOrganization stores an organization under the id given, as one made
// in the WorkOS dashboard before a migration would be, so that an
// emulator that starts empty answers lookups of it as the real environment
// does. A rehearsal whose staging names existing organizations by id (mig
// import --dry-run) adds them first. An id already present is left as it
// is.
func (s *Server) AddOrganization(id, name string) error {
	if !strings.HasPrefix(id, "org_") {
		return fmt.Errorf("workosemu: organization id %q: want org_...", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.st.orgs[id]; ok {
		return nil
	}
	now := s.now()
	o := &Organization{ID: id, Name: name, Domains: []Domain{}, Metadata: map[string]string{}, CreatedAt: now, UpdatedAt: now}
	if err := s.st.putOrg(o); err != nil {
		return fmt.Errorf("workosemu: %w", err)
	}
	return nil
}
