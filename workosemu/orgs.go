package workosemu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// domainInput reads domains (plain strings, deprecated) and domain_data
// (objects with a state) into Domain values.
func (s *Server) domainInput(f fields, orgID string, now time.Time) ([]Domain, bool, *reply) {
	var out []Domain
	set := false
	plain, ok, bad := f.strSlice("domains")
	if bad != nil {
		return nil, false, bad
	}
	if ok {
		set = true
		for _, d := range plain {
			out = append(out, Domain{ID: s.st.newID("org_domain_", now), Domain: strings.ToLower(d), State: "pending", VerificationStrategy: "dns", CreatedAt: now, UpdatedAt: now})
		}
	}
	if raw, present := f["domain_data"]; present && !f.isNull("domain_data") {
		var dd []struct {
			Domain string `json:"domain"`
			State  string `json:"state"`
		}
		if err := json.Unmarshal(raw, &dd); err != nil {
			return nil, false, typeError("domain_data", "an array of {domain, state} objects")
		}
		set = true
		for _, d := range dd {
			if d.Domain == "" || (d.State != "pending" && d.State != "verified") {
				r := errInvalidParams("domain_data", "invalid_domain_data", "Each domain_data entry needs a domain and a state of pending or verified.")
				return nil, false, &r
			}
			out = append(out, Domain{ID: s.st.newID("org_domain_", now), Domain: strings.ToLower(d.Domain), State: d.State, VerificationStrategy: "manual", CreatedAt: now, UpdatedAt: now})
		}
	}
	return out, set, nil
}

// orgExternalID reads external_id for organizations. An empty string is
// refused with 422: workos-go v4.46.1's UpdateOrganization always sends
// "external_id" and production answers its unset-field bodies with 422
// (workos/workos-go issue #467), so the emulator must not let an importer
// rely on that call succeeding.
func orgExternalID(f fields) (*string, bool, *reply) {
	ext, set, bad := f.externalID()
	if bad != nil {
		return nil, set, bad
	}
	if ext != nil && *ext == "" {
		r := errMessage(http.StatusUnprocessableEntity, "external_id should not be empty.")
		return nil, set, &r
	}
	return ext, set, nil
}

func (s *Server) createOrg(q *request) reply {
	f, bad := q.fields()
	if bad != nil {
		return *bad
	}
	name, ok, bad := f.str("name")
	if bad != nil {
		return *bad
	}
	if !ok || strings.TrimSpace(name) == "" {
		return errMessage(http.StatusUnprocessableEntity, "name should not be empty.")
	}
	allow, _, bad := f.boolean("allow_profiles_outside_organization")
	if bad != nil {
		return *bad
	}
	ext, _, bad := orgExternalID(f)
	if bad != nil {
		return *bad
	}
	md, _, bad := f.metadata("metadata")
	if bad != nil {
		return *bad
	}
	if ext != nil {
		if _, taken := s.st.orgsByExt[*ext]; taken {
			return errCode(http.StatusBadRequest, "external_id_already_used", "This external ID is already in use.")
		}
	}
	now := s.now()
	id := s.st.newID("org_", now)
	doms, _, bad := s.domainInput(f, id, now)
	if bad != nil {
		return *bad
	}
	if md == nil {
		md = map[string]string{}
	}
	o := &Organization{ID: id, Name: name, AllowProfilesOutsideOrganization: allow, Domains: doms,
		ExternalID: ext, Metadata: md, CreatedAt: now, UpdatedAt: now}
	if err := s.st.putOrg(o); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusCreated, body: o.wire()}
}

func (s *Server) getOrg(q *request) reply {
	o, ok := s.st.orgs[q.params["id"]]
	if !ok {
		return errNotFound("Organization", q.params["id"])
	}
	return reply{status: http.StatusOK, body: o.wire()}
}

func (s *Server) getOrgByExternalID(q *request) reply {
	id, ok := s.st.orgsByExt[q.params["external_id"]]
	if !ok {
		return errNotFound("Organization", q.params["external_id"])
	}
	return reply{status: http.StatusOK, body: s.st.orgs[id].wire()}
}

// queryList reads an array query parameter in any of the forms clients
// send: domains[]=a (the Go SDK), domains=a&domains=b, or domains=a,b (the
// spec's form style without explode).
func queryList(v url.Values, name string) []string {
	var out []string
	for _, k := range []string{name, name + "[]"} {
		for _, s := range v[k] {
			for _, p := range strings.Split(s, ",") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

func (s *Server) listOrgs(q *request) reply {
	v := q.r.URL.Query()
	lq, bad := parseListQuery(v)
	if bad != nil {
		return *bad
	}
	domains := queryList(v, "domains")
	search := strings.ToLower(v.Get("search"))
	ids := s.st.orgOrder.ids
	if len(domains) > 0 || search != "" {
		var keep []string
		for _, id := range ids {
			o := s.st.orgs[id]
			if search != "" && !strings.Contains(strings.ToLower(o.Name), search) {
				continue
			}
			if len(domains) > 0 && !hasDomain(o, domains) {
				continue
			}
			keep = append(keep, id)
		}
		ids = keep
	}
	page, md := paginate(ids, lq)
	data := make([]any, 0, len(page))
	for _, id := range page {
		data = append(data, s.st.orgs[id].wire())
	}
	return listReply(data, md)
}

func hasDomain(o *Organization, want []string) bool {
	for _, d := range o.Domains {
		for _, w := range want {
			if strings.EqualFold(d.Domain, w) {
				return true
			}
		}
	}
	return false
}

func (s *Server) updateOrg(q *request) reply {
	o0, ok := s.st.orgs[q.params["id"]]
	if !ok {
		return errNotFound("Organization", q.params["id"])
	}
	f, bad := q.fields()
	if bad != nil {
		return *bad
	}
	o := *o0
	if name, ok, bad := f.str("name"); bad != nil {
		return *bad
	} else if ok {
		if strings.TrimSpace(name) == "" {
			return errMessage(http.StatusUnprocessableEntity, "name should not be empty.")
		}
		o.Name = name
	}
	if v, ok, bad := f.boolean("allow_profiles_outside_organization"); bad != nil {
		return *bad
	} else if ok {
		o.AllowProfilesOutsideOrganization = v
	}
	if ext, set, bad := orgExternalID(f); bad != nil {
		return *bad
	} else if set {
		if ext != nil {
			if id, taken := s.st.orgsByExt[*ext]; taken && id != o.ID {
				return errCode(http.StatusBadRequest, "external_id_already_used", "This external ID is already in use.")
			}
		}
		o.ExternalID = ext
	}
	if v, ok, bad := f.str("stripe_customer_id"); bad != nil {
		return *bad
	} else if ok {
		for id, other := range s.st.orgs {
			if id != o.ID && other.StripeCustomerID == v && v != "" {
				return errCode(http.StatusBadRequest, "stripe_customer_id_already_used", "This Stripe customer ID is already in use.")
			}
		}
		o.StripeCustomerID = v
	}
	if md, set, bad := f.metadata("metadata"); bad != nil {
		return *bad
	} else if set {
		o.Metadata = md
	}
	now := s.now()
	if doms, set, bad := s.domainInput(f, o.ID, now); bad != nil {
		return *bad
	} else if set {
		o.Domains = doms
	}
	o.UpdatedAt = now
	if err := s.st.putOrg(&o); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusOK, body: o.wire()}
}

func (s *Server) deleteOrg(q *request) reply {
	id := q.params["id"]
	if _, ok := s.st.orgs[id]; !ok {
		return errNotFound("Organization", id)
	}
	if err := s.st.deleteOrg(id); err != nil {
		return s.internal(err)
	}
	return reply{status: http.StatusOK}
}
