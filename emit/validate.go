package emit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base32"
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

	"github.com/mig-tools/mig/pkgcontract"
)

// ValidateOptions tune Validate.
type ValidateOptions struct {
	// MaxIssuesPerCode caps how many issues of one code the report lists
	// (all are counted); 0 means 20.
	MaxIssuesPerCode int
	// Rules, when not nil, is given every data row that meets the contract,
	// to apply rules beyond it while the package is streamed (cmd/mig applies
	// mig check's rules this way; emit cannot import checks).
	Rules RowRules
}

// UserIndex finds a user of users.csv, by the line it is on.
type UserIndex interface {
	// ByExternalID returns the line of the user with this external_id.
	ByExternalID(id string) (line int, ok bool)
	// ByEmail returns the line of the user with this email, compared
	// trimmed and lower-cased.
	ByEmail(email string) (line int, ok bool)
}

// UsersReader is implemented by RowRules that want to look users up: it
// is given the users of users.csv once that file has been read, before any
// file that refers to it.
type UsersReader interface {
	UsersRead(UserIndex)
}

// FileReader is implemented by RowRules that want to know when a file has
// been read to the end (after its last Row). Validate reads
// user_role_assignments.csv before organization_memberships.csv.
type FileReader interface {
	FileRead(key string)
}

// RowRules receives the data rows of a package, file by file. Rows of one
// file come in order from one goroutine; rows of different files may come
// at the same time. A file is given only once the files it refers to
// (users.csv, organizations.csv) have been read to the end.
type RowRules interface {
	// Row is called for one data row of the contract file with manifest key
	// key; get returns a cell of the row by column name, trimmed.
	Row(key string, line int, get func(col string) string)
}

// Issue is one problem found in a package.
type Issue struct {
	Severity string `json:"severity"` // error or warning
	Code     string `json:"code"`
	Message  string `json:"message"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Field    string `json:"field,omitempty"`
}

// ValidationReport is the outcome of Validate. Importable is false when
// there is at least one error.
type ValidationReport struct {
	Dir        string                `json:"dir"`
	Importable bool                  `json:"importable"`
	Errors     int                   `json:"errors"`
	Warnings   int                   `json:"warnings"`
	Records    map[string]int        `json:"records"` // data records read, by manifest key
	ByCode     map[string]int        `json:"by_code"`
	Issues     []Issue               `json:"issues"`
	Truncated  bool                  `json:"truncated,omitempty"` // some issues are counted but not listed
	Manifest   *pkgcontract.Manifest `json:"-"`
	Provider   string                `json:"provider,omitempty"`
}

// Validate checks the package in dir against the contract (manifest schema,
// canonical file paths, exact CSV headers read with a real CSV parser,
// record counts) and beyond: row-level rules (emails, booleans, metadata,
// password hashes, TOTP secrets, role types) and references between files
// (membership and assignment to user and organization, role slug to role
// definition, TOTP secret to user, duplicate emails and external ids).
//
// It reads each file once, streaming; what it keeps for the references is
// 8-byte hashes of user keys (about 40 bytes per user in all), so a million
// users validate in bounded memory. A returned error means the package
// could not be read at all; problems in it are in the report.
func Validate(ctx context.Context, dir string, o ValidateOptions) (*ValidationReport, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("validate-package: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("validate-package: %s is not a directory", dir)
	}
	v := &validator{
		dir:     dir,
		max:     o.MaxIssuesPerCode,
		report:  &ValidationReport{Dir: dir, Records: map[string]int{}, ByCode: map[string]int{}, Issues: []Issue{}},
		seed:    maphash.MakeSeed(),
		orgKeys: map[string]int{},
		roles:   map[string]bool{},
		undef:   map[string]int{},
		conns:   map[string]bool{},
		perFile: map[string]int{},
		rules:   o.Rules,
	}
	if v.max <= 0 {
		v.max = 20
	}
	m := v.manifest()
	v.report.Manifest = m
	if m != nil {
		v.report.Provider = m.Provider
	}
	// A file that refers to another is read in a later phase than it;
	// within a phase, files are read in parallel.
	// organization_memberships.csv comes after user_role_assignments.csv,
	// whose users' other role lines the rules can then drop as they come
	// (FileReader); each shares its phase with a file of about its size.
	phaseOf := map[string]int{
		"roleDefinitions": 1, "userRoleAssignments": 1, "totpSecrets": 1,
		"samlConnections": 1, "oidcConnections": 1,
		"memberships": 2, "uploadMemberships": 2,
		"customAttributeMappings": 3, "proxyRoutes": 3,
	}
	phases := make([][]pkgcontract.File, 4)
	for _, f := range pkgcontract.Files {
		phases[phaseOf[f.Key]] = append(phases[phaseOf[f.Key]], f)
	}
	for _, phase := range phases {
		if err := v.files(ctx, phase, m); err != nil {
			return nil, err
		}
	}
	v.finish(m)
	r := v.report
	r.Importable = r.Errors == 0
	pos := map[string]int{pkgcontract.ManifestPath: -1}
	for i, f := range pkgcontract.Files {
		pos[f.Path] = i
	}
	sort.SliceStable(r.Issues, func(i, j int) bool {
		a, b := r.Issues[i], r.Issues[j]
		if (a.Severity == "error") != (b.Severity == "error") {
			return a.Severity == "error"
		}
		if a.File != b.File {
			return pos[a.File] < pos[b.File]
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Code < b.Code
	})
	return r, nil
}

// keyLine is a key's hash and the line it is on, in 12 bytes rather than
// the 16 a struct of a uint64 and a uint32 takes: there is one per user for
// each of email and external id.
type keyLine struct {
	hi, lo, line uint32
}

func newKeyLine(h uint64, line int) keyLine { return keyLine{uint32(h >> 32), uint32(h), uint32(line)} }

func (k keyLine) h() uint64 { return uint64(k.hi)<<32 | uint64(k.lo) }

type validator struct {
	mu      sync.Mutex // guards report, perFile, undef, undefWhere, conns
	perFile map[string]int
	dir     string
	max     int
	report  *ValidationReport
	seed    maphash.Seed

	emails, extIDs []keyLine // users.csv, sorted after reading
	emailIdx       hashIndex // over emails, once sorted
	extIDIdx       hashIndex // over extIDs, once sorted
	secretsRedact  bool
	orgKeys        map[string]int  // every identifier of every organizations.csv row -> line
	orgRows        int             // organizations.csv data rows
	roles          map[string]bool // defined role slugs
	roleRows       int
	undef          map[string]int // assigned but undefined role slug -> times
	undefWhere     map[string]where
	memberPairs    []uint64
	totpEmails     []keyLine
	conns          map[string]bool // connection externalIds
	uploadUsers    []uint64
	uploadOrgs     []uint64
	pending        map[string]pendingRef // org references of users.csv
	roleScopes     map[string]int        // slug and scope -> line
	rules          RowRules
}

// files validates some files in parallel, one goroutine per CPU.
func (v *validator) files(ctx context.Context, fs []pkgcontract.File, m *pkgcontract.Manifest) error {
	ch := make(chan pkgcontract.File, len(fs))
	for _, f := range fs {
		ch <- f
	}
	close(ch)
	workers := min(runtime.NumCPU(), len(fs))
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

// add records an issue. The report lists the first max issues of each code
// in each file (a file is read by one goroutine, so which ones is
// deterministic) and counts them all.
func (v *validator) add(sev, code, file string, line int, field, format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	r := v.report
	if sev == "error" {
		r.Errors++
	} else {
		r.Warnings++
	}
	r.ByCode[code]++
	v.perFile[file+"\x00"+code]++
	if v.perFile[file+"\x00"+code] > v.max {
		r.Truncated = true
		return
	}
	r.Issues = append(r.Issues, Issue{Severity: sev, Code: code, Message: fmt.Sprintf(format, args...), File: file, Line: line, Field: field})
}

func (v *validator) errorf(code, file string, line int, field, format string, args ...any) {
	v.add("error", code, file, line, field, format, args...)
}

func (v *validator) warnf(code, file string, line int, field, format string, args ...any) {
	v.add("warning", code, file, line, field, format, args...)
}

func (v *validator) hash(s string) uint64 { return maphash.String(v.seed, s) }

// manifest checks manifest.json and returns what it could read of it.
func (v *validator) manifest() *pkgcontract.Manifest {
	m, issues := pkgcontract.ReadManifest(v.dir)
	for _, is := range issues {
		v.add(is.Severity, is.Code, is.File, is.Line, is.Field, "%s", is.Message)
	}
	if m != nil {
		v.secretsRedact = m.SecretsRedacted
	}
	return m
}

// file validates one contract file.
func (v *validator) file(ctx context.Context, f pkgcontract.File, m *pkgcontract.Manifest) error {
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
	return nil
}

// presize allocates what a file collects a key per row into at the size
// the manifest gives, so that a million users do not grow the lists by
// doubling: that leaves up to half of each unused, and the old and new
// arrays both live while one is copied. The file's size bounds the size
// taken on trust (a row has at least a comma per column but the last).
func (v *validator) presize(f pkgcontract.File, m *pkgcontract.Manifest, fh *os.File) {
	st, err := fh.Stat()
	if m == nil || err != nil || len(f.Header) == 0 {
		return
	}
	n := int(min(int64(m.EntitiesExported.Get(f.Key)), st.Size()/int64(len(f.Header))))
	switch f.Key {
	case "users":
		v.emails, v.extIDs = make([]keyLine, 0, n), make([]keyLine, 0, n)
	case "memberships":
		v.memberPairs = make([]uint64, 0, n)
	case "totpSecrets":
		v.totpEmails = make([]keyLine, 0, n)
	case "uploadUsers":
		v.uploadUsers = make([]uint64, 0, n)
	}
}

func (v *validator) setRecords(key string, n int) {
	v.mu.Lock()
	v.report.Records[key] = n
	v.mu.Unlock()
}

func (v *validator) countCheck(f pkgcontract.File, m *pkgcontract.Manifest, n int) {
	if m == nil || !f.Counted {
		return
	}
	if want := m.EntitiesExported.Get(f.Key); want != n {
		v.errorf("entity_count_mismatch", f.Path, 0, "entitiesExported."+f.Key,
			"manifest.entitiesExported.%s is %d, but %s has %d records", f.Key, want, f.Path, n)
	}
}

func (v *validator) jsonl(ctx context.Context, f pkgcontract.File, r io.Reader) (int, error) {
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
func (v *validator) csvFile(ctx context.Context, f pkgcontract.File, fh io.Reader) (n int, ok bool, err error) {
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
	get := r.get
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				v.errorf("csv_parse_failed", f.Path, pe.StartLine, "", "%v", pe.Err)
			} else {
				v.errorf("csv_parse_failed", f.Path, 0, "", "%v", err)
			}
			return n, ok, nil
		}
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
			if v.rules != nil {
				v.rules.Row(f.Key, line, get)
			}
		}
	}
	if ok {
		v.afterFile(f.Key)
		if r, isFR := v.rules.(FileReader); isFR {
			r.FileRead(f.Key)
		}
	}
	return n, ok, nil
}

func (v *validator) rowChecker(key string) func(*row) {
	switch key {
	case "users":
		return v.userRow
	case "organizations":
		return v.orgRow
	case "memberships":
		return v.membershipRow
	case "roleDefinitions":
		return v.roleRow
	case "userRoleAssignments":
		return v.assignmentRow
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

// afterFile sorts what a file collected and reports its duplicates.
func (v *validator) afterFile(key string) {
	switch key {
	case "users":
		v.dups(v.emails, "duplicate_email", "users.csv", "email", "email")
		v.dups(v.extIDs, "duplicate_external_id", "users.csv", "external_id", "external_id")
		v.emailIdx, v.extIDIdx = newHashIndex(v.emails), newHashIndex(v.extIDs)
		if r, ok := v.rules.(UsersReader); ok {
			r.UsersRead(userIndex{v})
		}
	case "memberships":
		slices.Sort(v.memberPairs)
		for i := 1; i < len(v.memberPairs); i++ {
			if v.memberPairs[i] == v.memberPairs[i-1] {
				v.warnf("duplicate_membership", "organization_memberships.csv", 0, "", "a user is listed twice in the same organization")
			}
		}
		v.memberPairs = nil
	case "totpSecrets":
		v.dups(v.totpEmails, "duplicate_totp", "totp_secrets.csv", "email", "TOTP secret for the email")
		v.totpEmails = nil
	case "uploadUsers":
		slices.Sort(v.uploadUsers)
	case "uploadOrganizations":
		slices.Sort(v.uploadOrgs)
	}
}

func (v *validator) dups(list []keyLine, code, file, field, what string) {
	slices.SortFunc(list, func(a, b keyLine) int {
		if a.h() != b.h() {
			if a.h() < b.h() {
				return -1
			}
			return 1
		}
		return int(a.line) - int(b.line)
	})
	for i := 1; i < len(list); i++ {
		if list[i].h() == list[i-1].h() {
			first := list[i-1].line
			for j := i - 1; j > 0 && list[j-1].h() == list[i].h(); j-- {
				first = list[j-1].line
			}
			sev := "error"
			if code == "duplicate_totp" {
				sev = "warning"
			}
			v.add(sev, code, file, int(list[i].line), field, "same %s as line %d", what, first)
		}
	}
}

// userIndex is the UserIndex of a validator that has read users.csv.
type userIndex struct{ v *validator }

func (x userIndex) ByExternalID(id string) (int, bool) { return x.v.extIDIdx.find(x.v.hash(id)) }
func (x userIndex) ByEmail(email string) (int, bool) {
	return x.v.emailIdx.find(x.v.hash(normEmail(email)))
}

// hashIndex finds hashes in a sorted list of them in two cache misses
// rather than the twenty of a binary search over a million: hashes are
// spread evenly, so their top bits cut the list into buckets of about four
// entries, and start says where each bucket begins.
type hashIndex struct {
	list  []keyLine
	start []uint32 // bucket b is list[start[b]:start[b+1]]
	shift uint
}

func newHashIndex(sorted []keyLine) hashIndex {
	bits := uint(1)
	for 1<<bits < len(sorted)/4 {
		bits++
	}
	x := hashIndex{list: sorted, start: make([]uint32, 1<<bits+1), shift: 64 - bits}
	b := 0
	for i, e := range sorted {
		for ; b <= int(e.h()>>x.shift); b++ {
			x.start[b] = uint32(i)
		}
	}
	for ; b < len(x.start); b++ {
		x.start[b] = uint32(len(sorted))
	}
	return x
}

// find returns the line of the first entry with hash h.
func (x hashIndex) find(h uint64) (int, bool) {
	if len(x.list) == 0 {
		return 0, false
	}
	b := h >> x.shift
	for _, e := range x.list[x.start[b]:x.start[b+1]] {
		if e.h() == h {
			return int(e.line), true
		}
	}
	return 0, false
}

func hasHash(list []uint64, h uint64) bool {
	_, ok := slices.BinarySearch(list, h)
	return ok
}

// isSlug matches ^[A-Za-z0-9][A-Za-z0-9_:.\-]*$, the role and permission
// slugs the contract accepts.
func isSlug(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := isDigit(c) || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
		if !alnum && (i == 0 || c != '_' && c != ':' && c != '.' && c != '-') {
			return false
		}
	}
	return s != ""
}

// isBcrypt matches ^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$ without a regexp,
// which cost a second per million users.
func isBcrypt(h string) bool {
	rest, ok := strings.CutPrefix(h, "$2")
	if !ok {
		return false
	}
	if rest != "" && strings.IndexByte("abxy", rest[0]) >= 0 {
		rest = rest[1:]
	}
	if len(rest) != 1+2+1+53 || rest[0] != '$' || !isDigit(rest[1]) || !isDigit(rest[2]) || rest[3] != '$' {
		return false
	}
	for i := 4; i < len(rest); i++ {
		c := rest[i]
		if !(c == '.' || c == '/' || isDigit(c) || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// hashTypes are the password_hash_type values WorkOS accepts.
var hashTypes = []string{"bcrypt", "firebase-scrypt", "ssha", "scrypt", "pbkdf2", "argon2"}

// validEmail is deliberately plain: one @, something on each side, a dot
// in the domain, no spaces. WorkOS rejects what fails it.
func validEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || at == len(s)-1 {
		return false
	}
	domain := s[at+1:]
	if strings.ContainsAny(s, " \t\r\n,;<>") || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return false
	}
	return true
}

func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// maxMetadataValue is WorkOS's limit on one metadata value, in characters.
const maxMetadataValue = 600

func (v *validator) metadata(r *row, col string) {
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
		v.errorf("invalid_metadata", r.file, r.line, col, "metadata is not a JSON object")
		return
	}
	for k, raw := range obj {
		var str string
		if json.Unmarshal(raw, &str) != nil {
			v.warnf("metadata_not_string", r.file, r.line, col, "metadata %q is not a string; WorkOS stores strings", k)
			continue
		}
		if utf8.RuneCountInString(str) > maxMetadataValue {
			v.errorf("metadata_value_too_long", r.file, r.line, col, "metadata %q is %d characters; WorkOS takes at most %d", k, utf8.RuneCountInString(str), maxMetadataValue)
		}
	}
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

func (v *validator) boolean(r *row, col string) {
	switch strings.ToLower(r.get(col)) {
	case "", "true", "false":
	case "1", "0", "yes", "no", "y", "n", "t", "f":
		v.warnf("boolean_format", r.file, r.line, col, "%s is %q; the contract writes true or false", col, r.get(col))
	default:
		v.errorf("invalid_boolean", r.file, r.line, col, "%s is %q, not true or false", col, r.get(col))
	}
}

func (v *validator) userRow(r *row) {
	email := r.get("email")
	switch {
	case email == "":
		v.errorf("missing_email", r.file, r.line, "email", "email is empty: WorkOS users need one")
	case !validEmail(email):
		v.errorf("invalid_email", r.file, r.line, "email", "%q is not an email address", email)
	}
	if email != "" {
		v.emails = append(v.emails, newKeyLine(v.hash(normEmail(email)), r.line))
	}
	if ext := r.get("external_id"); ext != "" {
		v.extIDs = append(v.extIDs, newKeyLine(v.hash(ext), r.line))
	}
	v.boolean(r, "email_verified")
	v.metadata(r, "metadata")
	pw, hash, typ := r.get("password"), r.get("password_hash"), r.get("password_hash_type")
	switch {
	case hash != "" && typ == "":
		v.errorf("password_hash_without_type", r.file, r.line, "password_hash_type", "password_hash needs a password_hash_type")
	case hash == "" && typ != "":
		v.errorf("password_hash_type_without_hash", r.file, r.line, "password_hash", "password_hash_type %q without a password_hash", typ)
	case typ != "" && !slices.Contains(hashTypes, typ):
		v.errorf("unsupported_password_hash_type", r.file, r.line, "password_hash_type", "WorkOS does not accept password_hash_type %q (it takes %s)", typ, strings.Join(hashTypes, ", "))
	case typ == "bcrypt" && !isBcrypt(hash):
		v.errorf("invalid_password_hash", r.file, r.line, "password_hash", "not a bcrypt hash ($2a$/$2b$/$2y$, cost, 53 characters)")
	}
	if pw != "" {
		if hash != "" {
			v.errorf("password_and_hash", r.file, r.line, "password", "password and password_hash are both set; WorkOS takes one or the other")
		} else {
			v.warnf("plaintext_password", r.file, r.line, "password", "the package carries a plaintext password")
		}
	}
	orgID, ext, name := r.get("org_id"), r.get("org_external_id"), r.get("org_name")
	if orgID != "" && ext != "" {
		v.errorf("org_id_conflict", r.file, r.line, "org_id", "org_id and org_external_id are both set; they are mutually exclusive")
	}
	if orgID != "" || ext != "" || name != "" {
		v.pendingOrgRef(r, orgID, ext, name)
	} else if r.get("role_slugs") != "" {
		v.warnf("role_slugs_without_org", r.file, r.line, "role_slugs", "role_slugs without an organization: roles are given on a membership")
	}
	v.slugs(r, "role_slugs")
}

// Org references in users.csv come before organizations.csv is read, so
// they are checked when it has been (organizations.csv is read second, and
// users.csv rows only hold the first membership of users that
// organization_memberships.csv lists in full). They are kept as keys,
// deduplicated: there are few organizations.
func (v *validator) pendingOrgRef(r *row, orgID, ext, name string) {
	key := orgKey(orgID, ext, name)
	if v.pending == nil {
		v.pending = map[string]pendingRef{}
	}
	p, ok := v.pending[key]
	if !ok {
		p = pendingRef{line: r.line, creatable: ext != "" && name != ""}
	}
	p.n++
	v.pending[key] = p
}

type pendingRef struct {
	line      int
	n         int
	creatable bool
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

// orgRef checks that an organization named by a row is in organizations.csv.
func (v *validator) orgRef(file string, line int, orgID, ext, name string) {
	key := orgKey(orgID, ext, name)
	if key == "" {
		v.errorf("missing_organization", file, line, "org_external_id", "no organization: fill org_id, org_external_id or org_name")
		return
	}
	if _, ok := v.orgKeys[key]; ok {
		return
	}
	switch {
	case orgID != "":
		v.warnf("organization_not_in_package", file, line, "org_id", "organization %s is not in organizations.csv; it must already exist in WorkOS", orgID)
	case ext != "" && name != "":
		v.warnf("organization_not_in_package", file, line, "org_external_id", "organization %s is not in organizations.csv; it is created at import as %q", ext, name)
	case ext != "":
		v.errorf("unknown_organization", file, line, "org_external_id", "organization %s is not in organizations.csv and has no org_name to create it with", ext)
	default:
		v.warnf("organization_not_in_package", file, line, "org_name", "organization %q is not in organizations.csv; it is looked up or created by name", name)
	}
}

func (v *validator) orgRow(r *row) {
	v.orgRows++
	orgID, ext, name := r.get("org_id"), r.get("org_external_id"), r.get("org_name")
	key := orgKey(orgID, ext, name)
	if key == "" {
		v.errorf("missing_organization", r.file, r.line, "org_external_id", "no org_id, org_external_id or org_name")
		return
	}
	// Two rows with the same WorkOS id or external id are the same
	// organization twice; two with the same name are only suspicious.
	idKeys := []string{orgKey(orgID, "", ""), orgKey("", ext, "")}
	if orgID == "" && ext == "" {
		idKeys = []string{key}
	}
	for _, k := range idKeys {
		if first, dup := v.orgKeys[k]; k != "" && dup {
			v.errorf("duplicate_organization", r.file, r.line, "org_external_id", "organization %s is already on line %d", k, abs(first))
			break
		}
	}
	// A row answers to each of its identifiers, whatever the priority.
	for _, k := range []string{orgKey(orgID, "", ""), orgKey("", ext, ""), orgKey("", "", name)} {
		if _, ok := v.orgKeys[k]; k != "" && !ok {
			v.orgKeys[k] = r.line
		}
	}
	if orgID == "" && ext != "" && name == "" {
		v.warnf("organization_without_name", r.file, r.line, "org_name", "organization %s has no name: it must already exist in WorkOS", ext)
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

// userRef checks that a row's user is in users.csv.
func (v *validator) userRef(r *row, required bool) {
	email, ext, uid := r.get("email"), r.get("external_id"), r.get("user_id")
	switch {
	case ext != "":
		if _, ok := v.extIDIdx.find(v.hash(ext)); !ok {
			v.errorf("unknown_user", r.file, r.line, "external_id", "no user in users.csv has external_id %q", ext)
		}
	case email != "":
		if _, ok := v.emailIdx.find(v.hash(normEmail(email))); !ok {
			v.errorf("unknown_user", r.file, r.line, "email", "no user in users.csv has email %q", email)
		}
	case uid != "":
		v.warnf("user_by_id_only", r.file, r.line, "user_id", "the user is named only by user_id %q, which users.csv cannot confirm", uid)
	case required:
		v.errorf("missing_user", r.file, r.line, "email", "no user: fill email, external_id or user_id")
	}
}

func (v *validator) slugs(r *row, col string) {
	for _, s := range splitList(r.get(col)) {
		v.slugRef(r, col, s)
	}
}

func (v *validator) slugRef(r *row, col, slug string) {
	if !isSlug(slug) {
		v.errorf("invalid_role_slug", r.file, r.line, col, "%q is not a role slug", slug)
		return
	}
	// role_definitions.csv may come after the file that uses the slug, so
	// uses are counted here and checked in finish. Slugs are few.
	v.mu.Lock()
	defer v.mu.Unlock()
	// The first use in contract order and line is named, whichever
	// goroutine saw it first.
	at := where{filePos(r.file), r.file, r.line}
	if w, ok := v.undefWhere[slug]; !ok || at.before(w) {
		if v.undefWhere == nil {
			v.undefWhere = map[string]where{}
		}
		v.undefWhere[slug] = at
	}
	v.undef[slug]++
}

func (v *validator) membershipRow(r *row) {
	v.userRef(r, true)
	orgID, ext, name := r.get("org_id"), r.get("org_external_id"), r.get("org_name")
	if orgID != "" && ext != "" {
		v.errorf("org_id_conflict", r.file, r.line, "org_id", "org_id and org_external_id are both set; they are mutually exclusive")
	}
	v.orgRef(r.file, r.line, orgID, ext, name)
	user := r.get("external_id")
	if user == "" {
		user = "email:" + normEmail(r.get("email"))
	}
	v.memberPairs = append(v.memberPairs, v.hash(user+"\x00"+orgKey(orgID, ext, name)))
	v.slugs(r, "role_slugs")
	v.metadata(r, "metadata")
}

// resolvePending checks the org references users.csv made, once
// organizations.csv has been read.
func (v *validator) resolvePending() {
	if v.pending == nil {
		return
	}
	keys := make([]string, 0, len(v.pending))
	for k := range v.pending {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := v.pending[k]
		kind, val, _ := strings.Cut(k, ":")
		switch kind {
		case "id":
			v.orgRef("users.csv", p.line, val, "", "")
		case "ext":
			name := ""
			if p.creatable {
				name = "(org_name)"
			}
			if _, ok := v.orgKeys[k]; !ok && name != "" {
				v.warnf("organization_not_in_package", "users.csv", p.line, "org_external_id", "organization %s is not in organizations.csv; it is created at import from org_name", val)
				continue
			}
			v.orgRef("users.csv", p.line, "", val, "")
		default:
			v.orgRef("users.csv", p.line, "", "", val)
		}
	}
	v.pending = nil
}

func (v *validator) roleRow(r *row) {
	v.roleRows++
	slug, typ := r.get("role_slug"), r.get("role_type")
	if slug == "" {
		v.errorf("missing_role_slug", r.file, r.line, "role_slug", "role_slug is empty")
		return
	}
	if !isSlug(slug) {
		v.errorf("invalid_role_slug", r.file, r.line, "role_slug", "%q is not a role slug", slug)
	}
	orgID, ext := r.get("org_id"), r.get("org_external_id")
	switch typ {
	case "environment":
		if orgID != "" || ext != "" {
			v.errorf("environment_role_with_org", r.file, r.line, "role_type", "environment role %q names an organization", slug)
		}
	case "organization":
		if orgID == "" && ext == "" {
			v.errorf("organization_role_without_org", r.file, r.line, "org_id", "organization role %q names no organization", slug)
		} else {
			if _, ok := v.orgKeys[orgKey(orgID, ext, "")]; !ok {
				v.warnf("organization_not_in_package", r.file, r.line, "org_external_id", "organization role %q belongs to %s, which is not in organizations.csv: it must already exist in WorkOS", slug, orgKey(orgID, ext, ""))
			}
		}
	default:
		v.errorf("invalid_role_type", r.file, r.line, "role_type", "role_type is %q, not environment or organization", typ)
	}
	scope := orgKey(orgID, ext, "")
	k := slug + "\x00" + scope
	if v.roleScopes == nil {
		v.roleScopes = map[string]int{}
	}
	if first, dup := v.roleScopes[k]; dup {
		v.errorf("duplicate_role", r.file, r.line, "role_slug", "role %q is already defined on line %d", slug, first)
	}
	v.roleScopes[k] = r.line
	v.roles[slug] = true
	for _, p := range splitList(r.get("permissions")) {
		if !isSlug(p) {
			v.errorf("invalid_permission", r.file, r.line, "permissions", "%q is not a permission slug", p)
		}
	}
}

func (v *validator) assignmentRow(r *row) {
	v.userRef(r, true)
	slug := r.get("role_slug")
	if slug == "" {
		v.errorf("missing_role_slug", r.file, r.line, "role_slug", "role_slug is empty")
	} else {
		v.slugRef(r, "role_slug", slug)
	}
	if orgID, ext := r.get("org_id"), r.get("org_external_id"); orgID != "" || ext != "" {
		v.orgRef(r.file, r.line, orgID, ext, "")
	}
}

func (v *validator) totpRow(r *row) {
	email := r.get("email")
	if email == "" {
		v.errorf("missing_email", r.file, r.line, "email", "email is empty")
	} else {
		v.userRef(r, true)
		v.totpEmails = append(v.totpEmails, newKeyLine(v.hash(normEmail(email)), r.line))
	}
	secret := strings.ToUpper(strings.ReplaceAll(r.get("totp_secret"), " ", ""))
	if secret == "" {
		v.errorf("missing_totp_secret", r.file, r.line, "totp_secret", "totp_secret is empty")
		return
	}
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(secret, "="))
	if err != nil {
		v.errorf("invalid_totp_secret", r.file, r.line, "totp_secret", "totp_secret is not base32")
	} else if len(b) < 10 {
		v.warnf("short_totp_secret", r.file, r.line, "totp_secret", "totp_secret is %d bytes; authenticators expect at least 10", len(b))
	}
}

func (v *validator) connectionRow(r *row) {
	name, ext := r.get("name"), r.get("externalId")
	if name == "" && r.get("organizationName") == "" && ext == "" {
		v.errorf("missing_connection_name", r.file, r.line, "name", "no name, organizationName or externalId")
	}
	if ext != "" {
		v.mu.Lock()
		v.conns[ext] = true
		v.mu.Unlock()
	}
	if orgID, oext, oname := r.get("organizationId"), r.get("organizationExternalId"), r.get("organizationName"); orgID != "" || oext != "" || oname != "" {
		if _, ok := v.orgKeys[orgKey(orgID, oext, oname)]; !ok {
			v.warnf("connection_organization_not_in_package", r.file, r.line, "organizationExternalId", "the connection's organization is not in organizations.csv")
		}
	}
	if r.file == "sso/saml_connections.csv" {
		if r.get("idpMetadataUrl") == "" && (r.get("idpEntityId") == "" || r.get("idpUrl") == "" || r.get("x509Cert") == "") {
			v.warnf("saml_incomplete", r.file, r.line, "idpMetadataUrl", "neither idpMetadataUrl nor all of idpEntityId, idpUrl and x509Cert: the connection cannot be set up from this row")
		}
		v.boolean(r, "idpInitiatedEnabled")
	} else if r.get("clientId") == "" || r.get("discoveryEndpoint") == "" {
		v.warnf("oidc_incomplete", r.file, r.line, "clientId", "clientId and discoveryEndpoint are needed to set up the connection")
	}
	key := "samlConnections"
	if r.file == "sso/oidc_connections.csv" {
		key = "oidcConnections"
	}
	for _, c := range pkgcontract.SecretColumns[key] {
		if r.get(c) != "" && v.secretsRedact {
			v.errorf("secret_in_redacted_package", r.file, r.line, c, "%s is filled but the manifest says secrets are redacted", c)
		}
	}
}

func (v *validator) attrMappingRow(r *row) {
	ext := r.get("externalId")
	if ext == "" || !v.conns[ext] {
		v.warnf("unknown_connection", r.file, r.line, "externalId", "no connection has externalId %q", ext)
	}
	if r.get("idpClaim") == "" || r.get("userPoolAttribute") == "" {
		v.errorf("incomplete_attribute_mapping", r.file, r.line, "idpClaim", "userPoolAttribute and idpClaim are both needed")
	}
}

func (v *validator) proxyRouteRow(r *row) {
	ext := r.get("externalId")
	if ext == "" || !v.conns[ext] {
		v.warnf("unknown_connection", r.file, r.line, "externalId", "no connection has externalId %q", ext)
	}
	if p := r.get("protocol"); p != "saml" && p != "oidc" {
		v.errorf("invalid_protocol", r.file, r.line, "protocol", "protocol is %q, not saml or oidc", p)
	}
	if s := r.get("cutoverState"); !slices.Contains([]string{"", "legacy", "workos", "manual"}, s) {
		v.errorf("invalid_cutover_state", r.file, r.line, "cutoverState", "cutoverState is %q, not legacy, workos or manual", s)
	}
}

func (v *validator) uploadUserRow(r *row) {
	id := r.get("user_id")
	if id == "" {
		v.errorf("missing_user_id", r.file, r.line, "user_id", "user_id is empty")
	} else {
		v.uploadUsers = append(v.uploadUsers, v.hash(id))
	}
	if e := r.get("email"); !validEmail(e) {
		v.errorf("invalid_email", r.file, r.line, "email", "%q is not an email address", e)
	}
	v.boolean(r, "email_verified")
}

func (v *validator) uploadOrgRow(r *row) {
	id := r.get("organization_id")
	if id == "" {
		v.errorf("missing_organization_id", r.file, r.line, "organization_id", "organization_id is empty")
		return
	}
	v.uploadOrgs = append(v.uploadOrgs, v.hash(id))
}

func (v *validator) uploadMembershipRow(r *row) {
	if !hasHash(v.uploadOrgs, v.hash(r.get("organization_id"))) {
		v.errorf("unknown_organization", r.file, r.line, "organization_id", "organization_id %q is not in workos_upload/organizations.csv", r.get("organization_id"))
	}
	if !hasHash(v.uploadUsers, v.hash(r.get("user_id"))) {
		v.errorf("unknown_user", r.file, r.line, "user_id", "user_id %q is not in workos_upload/users.csv", r.get("user_id"))
	}
}

// finish reports what can only be said once every file is read.
func (v *validator) finish(m *pkgcontract.Manifest) {
	v.resolvePending()
	slugs := make([]string, 0, len(v.undef))
	for s := range v.undef {
		slugs = append(slugs, s)
	}
	sort.Strings(slugs)
	for _, s := range slugs {
		if v.roles[s] {
			continue
		}
		file, line := v.undefWhere[s].file, v.undefWhere[s].line
		if v.roleRows > 0 {
			v.errorf("undefined_role", file, line, "role_slug", "role %q is assigned (%d rows, first here) but role_definitions.csv does not define it", s, v.undef[s])
		} else {
			v.warnf("undefined_role", file, line, "role_slug", "role %q is assigned (%d rows, first here) and the package defines no roles: it must already exist in WorkOS", s, v.undef[s])
		}
	}
	v.emails, v.extIDs = nil, nil
	v.emailIdx, v.extIDIdx = hashIndex{}, hashIndex{}
}

// where is a place in the package.
type where struct {
	pos  int // the file's place in pkgcontract.Files
	file string
	line int
}

func (a where) before(b where) bool { return a.pos < b.pos || a.pos == b.pos && a.line < b.line }

func filePos(path string) int {
	for i, f := range pkgcontract.Files {
		if f.Path == path {
			return i
		}
	}
	return len(pkgcontract.Files)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
