package auth0

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/mig-tools/mig/ingest"
)

// Entities a fetch can read. Users are the users list or export;
// organizations the organizations themselves; memberships who belongs to
// which (from the members endpoints, or from app_metadata with
// UseMetadata); roles the role catalog with its permissions and, with
// memberships, each member's roles; sso the enterprise connections.
const (
	EntityUsers         = "users"
	EntityOrganizations = "organizations"
	EntityMemberships   = "memberships"
	EntityRoles         = "roles"
	EntitySSO           = "sso"
)

// AllEntities is what a fetch reads when Options.Entities is empty.
var AllEntities = []string{EntityUsers, EntityOrganizations, EntityMemberships, EntityRoles, EntitySSO}

// Engines that read users. The Management API's users list serves at most
// 1,000 users; a bigger tenant needs the users-exports job.
const (
	EngineManagementAPI = "management-api"
	EngineBulkJob       = "bulk-job"
)

// DefaultRateLimit is the pace, in requests per second, when
// Options.RateLimit is 0: under the Management API's limit for paid
// tenants, so that a long fetch does not spend its time in 429 waits.
const DefaultRateLimit = 15

// Options are the inputs of one fetch. The client secret is only sent to
// the tenant's token endpoint: it is never logged (LogValue leaves it out)
// and never handed to the sink.
type Options struct {
	// Domain is the tenant's domain (my-tenant.us.auth0.com) or a base URL
	// (https://login.example.com, or http://127.0.0.1:PORT for a fake).
	Domain       string
	ClientID     string
	ClientSecret string

	Entities     []string // empty: AllEntities
	Orgs         []string // organization ids to read; empty: all of them
	Engine       string   // EngineManagementAPI (default) or EngineBulkJob
	ConnectionID string   // read only the users of this connection (con_...)

	IncludeFederated bool // keep users whose identities are all social or enterprise
	IncludeBlocked   bool // keep users Auth0 has blocked

	// UseMetadata reads memberships from app_metadata instead of the
	// organizations' members: MetadataOrgIDField holds the organization's
	// id (its external id), MetadataOrgNameField its name; either may be
	// a string or a list. user_metadata is read only with
	// AllowUserMetadataOrg, since users can edit it themselves.
	UseMetadata          bool
	MetadataOrgIDField   string
	MetadataOrgNameField string
	AllowUserMetadataOrg bool

	// RateLimit paces requests (per second); 0 means DefaultRateLimit and a
	// negative value no pacing. 429 answers are waited out whatever it is.
	RateLimit float64
	// PageSize is how many items a list request asks for: at most 100, the
	// API's maximum, which is the default.
	PageSize int
	// HTTPClient sends the requests; nil means a client of its own.
	HTTPClient *http.Client

	// What Ingest needs besides the fetch: the tenant's name in staging
	// (two Auth0 tenants in one database), the org- and role-mapping files
	// (MappingUserColumns), whether SSO secrets are staged, and the
	// settings of the run (the line limits of the export file included).
	Tenant         string
	OrgMapping     string
	RoleMapping    string
	IncludeSecrets bool
	Settings       ingest.Settings
	// Log receives progress and the waits for rate limits.
	Log *slog.Logger

	clock clock // tests replace the clock: no test waits for real time
}

// LogValue lets Options be logged without the client secret.
func (o Options) LogValue() slog.Value {
	return slog.GroupValue(slog.String("domain", o.Domain), slog.String("client_id", o.ClientID),
		slog.Any("entities", o.entities()), slog.String("engine", o.engine()))
}

// String keeps the client secret out of fmt's %v as well.
func (o Options) String() string {
	return fmt.Sprintf("auth0.Options{Domain:%q ClientID:%q ClientSecret:[hidden] Entities:%v Engine:%s}", o.Domain, o.ClientID, o.entities(), o.engine())
}

func (o Options) entities() []string {
	if len(o.Entities) == 0 {
		return AllEntities
	}
	return o.Entities
}

func (o Options) wants(entity string) bool { return slices.Contains(o.entities(), entity) }

func (o Options) engine() string {
	if o.Engine == "" {
		return EngineManagementAPI
	}
	return o.Engine
}

func (o Options) pageSize() int {
	if o.PageSize <= 0 || o.PageSize > 100 {
		return 100
	}
	return o.PageSize
}

// Validate says what is wrong with o before anything is requested.
func (o Options) Validate() error {
	var errs []error
	if strings.TrimSpace(o.Domain) == "" {
		errs = append(errs, errors.New("no Auth0 domain: set --domain or AUTH0_DOMAIN"))
	}
	if o.ClientID == "" {
		errs = append(errs, errors.New("no client id: set --client-id or AUTH0_CLIENT_ID"))
	}
	if o.ClientSecret == "" {
		errs = append(errs, errors.New("no client secret: set --client-secret or AUTH0_CLIENT_SECRET"))
	}
	for _, e := range o.Entities {
		if !slices.Contains(AllEntities, e) {
			errs = append(errs, fmt.Errorf("unknown entity %q: choose from %s", e, strings.Join(AllEntities, ",")))
		}
	}
	if e := o.engine(); e != EngineManagementAPI && e != EngineBulkJob {
		errs = append(errs, fmt.Errorf("unknown engine %q: %s or %s", e, EngineManagementAPI, EngineBulkJob))
	}
	if o.UseMetadata && o.MetadataOrgIDField == "" && o.MetadataOrgNameField == "" {
		errs = append(errs, errors.New("reading memberships from metadata needs the field that holds the organization id or name (--metadata-org-id-field, --metadata-org-name-field)"))
	}
	if !o.UseMetadata && (o.MetadataOrgIDField != "" || o.MetadataOrgNameField != "" || o.AllowUserMetadataOrg) {
		errs = append(errs, errors.New("the metadata organization fields are read only with --use-metadata"))
	}
	return errors.Join(errs...)
}
