package migpackage

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mig-tools/mig/accept"
	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/pkgcontract"
)

// CheckOptions tune Check.
type CheckOptions struct {
	// Workers is how many files are read at once; 0 means one per CPU.
	Workers int
}

// Report is what was found in a package: the issues of Check, and those
// that a caller adds (validate-package adds what an ingest of the package
// said about its rows). Importable is Errors == 0.
type Report struct {
	Dir       string                `json:"dir"`
	Provider  string                `json:"provider,omitempty"`
	Records   map[string]int        `json:"records"` // data records read, by manifest key
	Errors    int                   `json:"errors"`
	Warnings  int                   `json:"warnings"`
	ByCode    map[string]int        `json:"by_code"`
	Issues    []pkgcontract.Issue   `json:"issues"`
	Truncated bool                  `json:"truncated,omitempty"` // some issues are counted but not listed
	Manifest  *pkgcontract.Manifest `json:"-"`

	mu      sync.Mutex
	max     int
	perFile map[string]int
}

// NewReport returns an empty report on dir that lists up to max issues of
// each code in each file (0 means 20).
func NewReport(dir string, max int) *Report {
	if max <= 0 {
		max = 20
	}
	return &Report{Dir: dir, Records: map[string]int{}, ByCode: map[string]int{}, Issues: []pkgcontract.Issue{},
		max: max, perFile: map[string]int{}}
}

// Importable reports whether the report has no error.
func (r *Report) Importable() bool { return r.Errors == 0 }

// rel is a path the ingest gave (the package directory joined with a
// file's path) as a path inside the package, as the contract names files.
func (r *Report) rel(path string) string {
	if rel, err := filepath.Rel(r.Dir, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return path
}

// Add counts an issue and lists it, unless max issues of its code in its
// file are listed already. It is safe to call from several goroutines.
func (r *Report) Add(is pkgcontract.Issue) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count(is.Severity, is.Code, 1)
	k := is.File + "\x00" + is.Code
	r.perFile[k]++
	if r.perFile[k] > r.max {
		r.Truncated = true
		return
	}
	r.Issues = append(r.Issues, is)
}

// Count counts n more issues of a code without listing them.
func (r *Report) Count(severity, code string, n int) {
	if n <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count(severity, code, n)
	r.Truncated = true
}

func (r *Report) count(severity, code string, n int) {
	if severity == pkgcontract.Error {
		r.Errors += n
	} else {
		r.Warnings += n
	}
	r.ByCode[code] += n
}

// Sort puts the listed issues in the order people read them: errors first,
// then by file in contract order, line and code.
func (r *Report) Sort() {
	pos := map[string]int{pkgcontract.ManifestPath: -1}
	for i, f := range pkgcontract.Files {
		pos[f.Path] = i
	}
	sort.SliceStable(r.Issues, func(i, j int) bool {
		a, b := r.Issues[i], r.Issues[j]
		if (a.Severity == pkgcontract.Error) != (b.Severity == pkgcontract.Error) {
			return a.Severity == pkgcontract.Error
		}
		if a.File != b.File {
			return pos[a.File] < pos[b.File]
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Code < b.Code
	})
}

// Check adds to rep what only the package as files can tell, which the ingest
// of the package and mig check's rules cannot see: manifest.json against
// the contract, the files it lists and their permissions, the exact header
// of every CSV file, CSV and JSONL syntax, the record counts the manifest
// declares, and what the ingest does not stage or does not judge (the
// workos_upload files and their references, the SSO handoff files,
// organization domains and metadata, duplicate memberships and TOTP rows,
// permission slugs). What a row means for WorkOS (emails, password hashes,
// metadata of users, organizations and roles it names, ...) is judged
// once, by the ingest and the rules of sqlqueries/checks: validate-package
// runs both on a scratch database (see Scratch).
//
// It reads each file once, streaming; what it keeps is 8-byte hashes of
// membership and upload keys, so a million users are checked in bounded
// memory. A returned error means the package could not be read at all;
// problems in it are added to the report.
func Check(ctx context.Context, rep *Report, o CheckOptions) error {
	dir := rep.Dir
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("validate-package: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("validate-package: %s is not a directory", dir)
	}
	v := &checker{
		dir:     dir,
		report:  rep,
		seed:    maphash.MakeSeed(),
		orgKeys: map[string]bool{},
	}
	m, issues := pkgcontract.ReadManifest(dir)
	for _, is := range issues {
		v.report.Add(is)
	}
	v.report.Manifest = m
	if m != nil {
		v.report.Provider = m.Provider
		v.secretsRedact = m.SecretsRedacted
	}
	// A file that refers to another is read in a later phase than it;
	// within a phase, files are read in parallel.
	later := map[string]bool{"samlConnections": true, "oidcConnections": true, "uploadMemberships": true}
	phases := make([][]pkgcontract.File, 2)
	for _, f := range pkgcontract.Files {
		p := 0
		if later[f.Key] {
			p = 1
		}
		phases[p] = append(phases[p], f)
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	for _, phase := range phases {
		if err := v.files(ctx, phase, m, workers); err != nil {
			return err
		}
	}
	rep.Sort()
	return nil
}

type checker struct {
	dir           string
	report        *Report
	seed          maphash.Seed
	secretsRedact bool

	// Each is written by the one goroutine that reads its file, and read
	// only in a later phase.
	orgKeys     map[string]bool // every identifier of every organizations.csv row
	memberPairs []uint64
	totpEmails  []hashLine
	uploadUsers []uint64
	uploadOrgs  []uint64
}

// files checks some files in parallel.
func (v *checker) files(ctx context.Context, fs []pkgcontract.File, m *pkgcontract.Manifest, workers int) error {
	ch := make(chan pkgcontract.File, len(fs))
	for _, f := range fs {
		ch <- f
	}
	close(ch)
	workers = min(workers, len(fs))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range ch {
				if err := ctx.Err(); err != nil {
					errs[w] = err
					return
				}
				if err := v.file(ctx, f, m); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (v *checker) add(sev, code, file string, line int, field, format string, args ...any) {
	v.report.Add(pkgcontract.Issue{Severity: sev, Code: code, Message: fmt.Sprintf(format, args...), File: file, Line: line, Field: field})
}

func (v *checker) errorf(code, file string, line int, field, format string, args ...any) {
	v.add(pkgcontract.Error, code, file, line, field, format, args...)
}

func (v *checker) warnf(code, file string, line int, field, format string, args ...any) {
	v.add(pkgcontract.Warning, code, file, line, field, format, args...)
}

func (v *checker) hash(s string) uint64 { return maphash.String(v.seed, s) }

// file checks one contract file.
func (v *checker) file(ctx context.Context, f pkgcontract.File, m *pkgcontract.Manifest) error {
	p := filepath.Join(v.dir, filepath.FromSlash(f.Path))
	fh, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		listed := false
		if m != nil {
			_, listed = m.Files.Get(f.Key)
		}
		switch {
		case f.Key == "users" || listed:
			v.errorf("missing_file", f.Path, 0, "", "%s is missing", f.Path)
		default:
			v.warnf("missing_file", f.Path, 0, "", "%s is not in the package; read as empty", f.Path)
		}
		v.countCheck(f, m, 0)
		return nil
	}
	if err != nil {
		return err
	}
	defer fh.Close()
	switch f.Kind() {
	case "md":
		return nil
	case "jsonl":
		n, err := v.jsonl(ctx, f, fh)
		if err != nil {
			return err
		}
		v.setRecords(f.Key, n)
		v.countCheck(f, m, n)
		return nil
	}
	v.presize(f, m, fh)
	n, ok, err := v.csvFile(ctx, f, fh)
	if err != nil {
		return err
	}
	v.setRecords(f.Key, n)
	if ok {
		v.countCheck(f, m, n)
	}
	if n > 0 {
		v.permissions(f, fh)
	}
	return nil
}

// permissions warns when a file that holds secrets, and has records, can
// be read or written by anyone but its owner: mig writes such files 0600,
// and a package copied with laxer permissions leaves password hashes or
// TOTP secrets open.
func (v *checker) permissions(f pkgcontract.File, fh *os.File) {
	st, err := fh.Stat()
	if err != nil || !f.Secret || runtime.GOOS == "windows" {
		return
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		v.warnf("file_permissions", f.Path, 0, "", "%s has mode %04o: it holds secrets (password hashes, TOTP secrets or SSO keys), so only its owner should read it (chmod 600)", f.Path, perm)
	}
}

// presize allocates what a file collects a key per row into at the size
// the manifest gives, so that a million rows do not grow the lists by
// doubling: that leaves up to half of each unused, and the old and new
// arrays both live while one is copied. The file's size bounds the size
// taken on trust (a row has at least a comma per column but the last).
func (v *checker) presize(f pkgcontract.File, m *pkgcontract.Manifest, fh *os.File) {
	st, err := fh.Stat()
	if m == nil || err != nil || len(f.Header) == 0 {
		return
	}
	n := int(min(int64(m.EntitiesExported.Get(f.Key)), st.Size()/int64(len(f.Header))))
	switch f.Key {
	case "memberships":
		v.memberPairs = make([]uint64, 0, n)
	case "totpSecrets":
		v.totpEmails = make([]hashLine, 0, n)
	case "uploadUsers":
		v.uploadUsers = make([]uint64, 0, n)
	}
}

func (v *checker) setRecords(key string, n int) {
	v.report.mu.Lock()
	v.report.Records[key] = n
	v.report.mu.Unlock()
}

func (v *checker) countCheck(f pkgcontract.File, m *pkgcontract.Manifest, n int) {
	if m == nil || !f.Counted {
		return
	}
	if want := m.EntitiesExported.Get(f.Key); want != n {
		v.errorf("entity_count_mismatch", f.Path, 0, "entitiesExported."+f.Key,
			"manifest.entitiesExported.%s is %d, but %s has %d records", f.Key, want, f.Path, n)
	}
}

func (v *checker) jsonl(ctx context.Context, f pkgcontract.File, r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	n, line := 0, 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		n++
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil || obj == nil {
			v.errorf("jsonl_parse_failed", f.Path, line, "", "not a JSON object")
		}
	}
	if err := sc.Err(); err != nil {
		v.errorf("jsonl_parse_failed", f.Path, line+1, "", "%v", err)
	}
	return n, ctx.Err()
}

// row is one CSV record with its column lookup.
type row struct {
	idx  map[string]int
	rec  []string // the record's fields, trimmed once: get is called many times a row
	line int
	file string
}

func (r *row) get(col string) string {
	if i, ok := r.idx[col]; ok && i < len(r.rec) {
		return r.rec[i]
	}
	return ""
}

// csvFile checks the header and every record of one CSV file. ok is false
// when the header is wrong, in which case the records are counted but not
// checked.
func (v *checker) csvFile(ctx context.Context, f pkgcontract.File, fh io.Reader) (n int, ok bool, err error) {
	br := bufio.NewReaderSize(fh, 1<<20)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		v.errorf("missing_csv_header", f.Path, 1, "", "%s is empty: even with no rows it must have the header", f.Path)
		return 0, false, nil
	}
	if err != nil {
		v.errorf("csv_parse_failed", f.Path, 1, "", "%v", err)
		return 0, false, nil
	}
	header = slices.Clone(header)
	ok = f.HeaderAccepted(header)
	if !ok {
		v.errorf("invalid_csv_header", f.Path, 1, "", "header is %q; the contract wants %q", strings.Join(header, ","), strings.Join(f.Header, ","))
	}
	idx := make(map[string]int, len(header))
	for i, h := range header {
		idx[h] = i
	}
	check := v.rowChecker(f.Key)
	r := &row{idx: idx, file: f.Path}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// The reader goes on at the next line, as the ingest's does:
			// every record it cannot read is named.
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				v.errorf("csv_parse_failed", f.Path, pe.StartLine, "", "%v", pe.Err)
				n++
				continue
			}
			return n, ok, err
		}
		line, _ := cr.FieldPos(0)
		n++
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return n, ok, err
			}
		}
		if len(rec) != len(header) {
			v.errorf("csv_field_count", f.Path, line, "", "row has %d fields, the header has %d", len(rec), len(header))
			continue
		}
		for i, s := range rec {
			if !utf8.ValidString(s) {
				v.errorf("invalid_utf8", f.Path, line, header[i], "not valid UTF-8")
			}
			rec[i] = strings.TrimSpace(s)
		}
		if ok && check != nil {
			r.rec, r.line = rec, line
			check(r)
		}
	}
	if ok {
		v.afterFile(f.Key)
	}
	return n, ok, nil
}

func (v *checker) rowChecker(key string) func(*row) {
	switch key {
	case "users":
		return v.userRow
	case "organizations":
		return v.orgRow
	case "memberships":
		return v.membershipRow
	case "roleDefinitions":
		return v.roleRow
	case "totpSecrets":
		return v.totpRow
	case "samlConnections", "oidcConnections":
		return v.connectionRow
	case "customAttributeMappings":
		return v.attrMappingRow
	case "proxyRoutes":
		return v.proxyRouteRow
	case "uploadUsers":
		return v.uploadUserRow
	case "uploadOrganizations":
		return v.uploadOrgRow
	case "uploadMemberships":
		return v.uploadMembershipRow
	}
	return nil
}

// afterFile sorts what a file collected and reports its repeats.
func (v *checker) afterFile(key string) {
	switch key {
	case "memberships":
		slices.Sort(v.memberPairs)
		for i := 1; i < len(v.memberPairs); i++ {
			if v.memberPairs[i] == v.memberPairs[i-1] {
				v.warnf("duplicate_membership", pkgcontract.Path("memberships"), 0, "", "a user is listed twice in the same organization")
			}
		}
		v.memberPairs = nil
	case "totpSecrets":
		// Sorted by hash, then line: a repeat is named at its line, with the
		// line of the first row of its email.
		slices.SortFunc(v.totpEmails, func(a, b hashLine) int {
			if c := cmp.Compare(a.h, b.h); c != 0 {
				return c
			}
			return cmp.Compare(a.line, b.line)
		})
		first := 0
		for i := 1; i < len(v.totpEmails); i++ {
			if v.totpEmails[i].h != v.totpEmails[first].h {
				first = i
				continue
			}
			v.warnf("duplicate_totp", pkgcontract.Path("totpSecrets"), int(v.totpEmails[i].line), "email",
				"same email as line %d: each TOTP secret of a user becomes a factor of its own", v.totpEmails[first].line)
		}
		v.totpEmails = nil
	case "uploadUsers":
		slices.Sort(v.uploadUsers)
	case "uploadOrganizations":
		slices.Sort(v.uploadOrgs)
	}
}

// userRow: the rows of users.csv are judged by the ingest and the rules;
// what they do not see is a role given outside any organization, which
// the contract means as a role on a membership.
func (v *checker) userRow(r *row) {
	if r.get("org_id") == "" && r.get("org_external_id") == "" && r.get("org_name") == "" && r.get("role_slugs") != "" {
		v.warnf("role_slugs_without_org", r.file, r.line, "role_slugs", "role_slugs without an organization: roles are given on a membership")
	}
}

func orgKey(orgID, ext, name string) string {
	switch {
	case orgID != "":
		return "id:" + orgID
	case ext != "":
		return "ext:" + ext
	case name != "":
		return "name:" + name
	}
	return ""
}

// orgRow collects the identifiers of an organization, which the SSO files
// refer to, and checks what the ingest stages without judging: domains
// and metadata values.
func (v *checker) orgRow(r *row) {
	orgID, ext, name := r.get("org_id"), r.get("org_external_id"), r.get("org_name")
	// A row answers to each of its identifiers, whatever the priority.
	for _, k := range []string{orgKey(orgID, "", ""), orgKey("", ext, ""), orgKey("", "", name)} {
		if k != "" {
			v.orgKeys[k] = true
		}
	}
	for _, d := range splitList(r.get("domains")) {
		if !strings.Contains(d, ".") || strings.ContainsAny(d, " @/") {
			v.errorf("invalid_domain", r.file, r.line, "domains", "%q is not a domain", d)
		}
	}
	v.metadata(r, "metadata")
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '|' || r == ';' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// membershipRow: a row that names no organization makes no membership,
// which the ingest passes over; and a user listed twice in one
// organization is one membership.
func (v *checker) membershipRow(r *row) {
	orgID, ext, name := r.get("org_id"), r.get("org_external_id"), r.get("org_name")
	key := orgKey(orgID, ext, name)
	if key == "" {
		v.errorf("missing_organization", r.file, r.line, "org_external_id", "no organization: fill org_id, org_external_id or org_name")
	}
	user := r.get("external_id")
	if user == "" {
		user = "email:" + strings.ToLower(r.get("email"))
	}
	v.memberPairs = append(v.memberPairs, v.hash(user+"\x00"+key))
	v.metadata(r, "metadata")
}

// roleRow checks the permission slugs of a role, which no rule reads.
func (v *checker) roleRow(r *row) {
	for _, p := range splitList(r.get("permissions")) {
		if !isSlug(p) {
			v.errorf("invalid_permission", r.file, r.line, "permissions", "%q is not a permission slug", p)
		}
	}
}

// hashLine is a key's hash and the line it is on.
type hashLine struct {
	h    uint64
	line uint32
}

func (v *checker) totpRow(r *row) {
	if email := r.get("email"); email != "" {
		v.totpEmails = append(v.totpEmails, hashLine{v.hash(strings.ToLower(email)), uint32(r.line)})
	}
}

func (v *checker) connectionRow(r *row) {
	if orgID, oext, oname := r.get("organizationId"), r.get("organizationExternalId"), r.get("organizationName"); orgID != "" || oext != "" || oname != "" {
		if !v.orgKeys[orgKey(orgID, oext, oname)] {
			v.warnf("connection_organization_not_in_package", r.file, r.line, "organizationExternalId", "the connection's organization is not in organizations.csv")
		}
	}
	key := "samlConnections"
	if r.file == pkgcontract.Path("oidcConnections") {
		key = "oidcConnections"
	}
	if key == "samlConnections" {
		if r.get("idpMetadataUrl") == "" && (r.get("idpEntityId") == "" || r.get("idpUrl") == "" || r.get("x509Cert") == "") {
			v.warnf("saml_incomplete", r.file, r.line, "idpMetadataUrl", "neither idpMetadataUrl nor all of idpEntityId, idpUrl and x509Cert: the connection cannot be set up from this row")
		}
		v.boolean(r, "idpInitiatedEnabled")
	} else if r.get("clientId") == "" || r.get("discoveryEndpoint") == "" {
		v.warnf("oidc_incomplete", r.file, r.line, "clientId", "clientId and discoveryEndpoint are needed to set up the connection")
	}
	for _, c := range pkgcontract.SecretColumns[key] {
		if r.get(c) != "" && v.secretsRedact {
			v.errorf("secret_in_redacted_package", r.file, r.line, c, "%s is filled but the manifest says secrets are redacted", c)
		}
	}
}

func (v *checker) attrMappingRow(r *row) {
	if r.get("idpClaim") == "" || r.get("userPoolAttribute") == "" {
		v.errorf("incomplete_attribute_mapping", r.file, r.line, "idpClaim", "userPoolAttribute and idpClaim are both needed")
	}
}

func (v *checker) proxyRouteRow(r *row) {
	if p := r.get("protocol"); p != "saml" && p != "oidc" {
		v.errorf("invalid_protocol", r.file, r.line, "protocol", "protocol is %q, not saml or oidc", p)
	}
}

// The workos_upload files are not staged: they repeat users.csv,
// organizations.csv and organization_memberships.csv for WorkOS's upload
// templates. Their own keys and references are checked, and, since no rule
// sees them, the addresses and email_verified of their users: an address
// by accept.Email, the one email rule, as an error only when WorkOS
// rejects it.
func (v *checker) uploadUserRow(r *row) {
	if id := r.get("user_id"); id == "" {
		v.errorf("missing_user_id", r.file, r.line, "user_id", "user_id is empty")
	} else {
		v.uploadUsers = append(v.uploadUsers, v.hash(id))
	}
	if e := r.get("email"); e == "" {
		v.errorf("invalid_email", r.file, r.line, "email", "email is empty")
	} else if verdict, reason := accept.Email(e); verdict == accept.Rejected {
		v.errorf("invalid_email", r.file, r.line, "email", "%s is not a valid address: %s", ingest.Excerpt(e), reason)
	}
	v.boolean(r, "email_verified")
}

func (v *checker) uploadOrgRow(r *row) {
	id := r.get("organization_id")
	if id == "" {
		v.errorf("missing_organization_id", r.file, r.line, "organization_id", "organization_id is empty")
		return
	}
	v.uploadOrgs = append(v.uploadOrgs, v.hash(id))
}

func (v *checker) uploadMembershipRow(r *row) {
	if !hasHash(v.uploadOrgs, v.hash(r.get("organization_id"))) {
		v.errorf("unknown_organization", r.file, r.line, "organization_id", "organization_id %q is not in workos_upload/organizations.csv", r.get("organization_id"))
	}
	if !hasHash(v.uploadUsers, v.hash(r.get("user_id"))) {
		v.errorf("unknown_user", r.file, r.line, "user_id", "user_id %q is not in workos_upload/users.csv", r.get("user_id"))
	}
}

func hasHash(list []uint64, h uint64) bool {
	_, ok := slices.BinarySearch(list, h)
	return ok
}

// isSlug matches ^[A-Za-z0-9][A-Za-z0-9_:.\-]*$, the permission slugs the
// contract accepts.
func isSlug(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
		if !alnum && (i == 0 || c != '_' && c != ':' && c != '.' && c != '-') {
			return false
		}
	}
	return s != ""
}

// maxMetadataValue is WorkOS's limit on one metadata value, in characters.
const maxMetadataValue = 600

// metadata checks the values of an organization's or membership's metadata,
// which the ingest stages as they are (a cell that is not a JSON object it
// drops, with a warning) and no rule reads.
func (v *checker) metadata(r *row, col string) {
	s := r.get(col)
	if s == "" {
		return
	}
	if values, ok := compactStringValues(s); ok {
		for k, str := range values {
			if n := utf8.RuneCountInString(str); n > maxMetadataValue {
				v.errorf("metadata_value_too_long", r.file, r.line, col, "metadata %q is %d characters; WorkOS takes at most %d", k, n, maxMetadataValue)
			}
		}
		return
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &obj); err != nil || obj == nil {
		return
	}
	for _, k := range sortedKeys(obj) {
		var str string
		if json.Unmarshal(obj[k], &str) != nil {
			v.warnf("metadata_not_string", r.file, r.line, col, "metadata %q is not a string; WorkOS stores strings", k)
			continue
		}
		if n := utf8.RuneCountInString(str); n > maxMetadataValue {
			v.errorf("metadata_value_too_long", r.file, r.line, col, "metadata %q is %d characters; WorkOS takes at most %d", k, n, maxMetadataValue)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// compactStringValues returns an iterator over the members of a JSON
// object written as mig emit writes metadata: {"k":"v",...} with string
// values, no whitespace and no escapes. ok is false for any other text,
// which encoding/json then judges.
func compactStringValues(s string) (iter.Seq2[string, string], bool) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, false
	}
	var members [][2]string
	for body := s[1 : len(s)-1]; body != ""; {
		var kv [2]string
		for i := range kv {
			if len(body) < 2 || body[0] != '"' {
				return nil, false
			}
			end := strings.IndexByte(body[1:], '"') + 1
			if end == 0 || strings.ContainsFunc(body[1:end], func(c rune) bool { return c < 0x20 || c == '\\' }) {
				return nil, false
			}
			kv[i], body = body[1:end], body[end+1:]
			sep := byte(':')
			if i == 1 {
				sep = ','
			}
			if body != "" && body[0] != sep || i == 0 && body == "" {
				return nil, false
			}
			if body != "" {
				body = body[1:]
				if i == 1 && body == "" {
					return nil, false // a trailing comma
				}
			}
		}
		members = append(members, kv)
	}
	return func(yield func(string, string) bool) {
		for _, kv := range members {
			if !yield(kv[0], kv[1]) {
				return
			}
		}
	}, true
}

func (v *checker) boolean(r *row, col string) {
	switch strings.ToLower(r.get(col)) {
	case "", "true", "false":
	case "1", "0", "yes", "no", "y", "n", "t", "f":
		v.warnf("boolean_format", r.file, r.line, col, "%s is %q; the contract writes true or false", col, r.get(col))
	default:
		v.errorf("invalid_boolean", r.file, r.line, col, "%s is %q, not true or false", col, r.get(col))
	}
}
