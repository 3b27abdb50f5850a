package workosemu_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	verrors "github.com/pb33f/libopenapi-validator/errors"
)

// The contract check: every request a test in this package sends through
// startEmu, and every response the emulator gives, is validated against the
// WorkOS OpenAPI spec. The spec is loaded once per test binary from
// $WORKOS_OPENAPI_SPEC, or from shared/ beside the repository, as CI lays it
// out; without it the check is skipped and TestContract says so.

const defaultSpec = "../../shared/workos/open-api-spec.yaml"

var spec struct {
	once sync.Once
	v    validator.Validator
	path string
	err  error
	took time.Duration
	// mu serialises validation: the validator's caches are shared.
	mu sync.Mutex

	statsMu   sync.Mutex
	exchanges int
	ops       map[string]int // "METHOD /spec/path STATUS" -> count
}

func specPath() string {
	if p := os.Getenv("WORKOS_OPENAPI_SPEC"); p != "" {
		return p
	}
	return defaultSpec
}

func loadSpec() (validator.Validator, string, error) {
	spec.once.Do(func() {
		start := time.Now()
		defer func() { spec.took = time.Since(start) }()
		spec.path = specPath()
		raw, err := os.ReadFile(spec.path)
		if err != nil {
			spec.err = err
			return
		}
		raw = patchSpec(raw)
		doc, err := libopenapi.NewDocument(raw)
		if err != nil {
			spec.err = fmt.Errorf("parse %s: %w", spec.path, err)
			return
		}
		v, errs := validator.NewValidator(doc)
		if len(errs) > 0 {
			spec.err = fmt.Errorf("build validator for %s: %v", spec.path, errs)
			return
		}
		spec.v = v
		spec.ops = map[string]int{}
	})
	return spec.v, spec.path, spec.err
}

// patchSpec fixes defects in the published spec that stop a schema from
// compiling, so the check tests the emulator rather than the spec.
// OrganizationList (and other list schemas) list list_metadata twice under required, which JSON
// Schema forbids (required items must be unique).
func patchSpec(raw []byte) []byte {
	return bytes.Replace(raw,
		[]byte("        - data\n        - list_metadata\n        - list_metadata\n"),
		[]byte("        - data\n        - list_metadata\n"), -1)
}

// knownSDKDeviations are request-body findings the spec makes about what
// the official Go SDK sends and production accepts. Each is the SDK's, not
// the emulator's; the emulator must accept these requests like production.
var knownSDKDeviations = []struct {
	method, path string
	fragment     string
	why          string
}{
	{"POST", "/organizations", "domains", "CreateOrganizationOpts sends \"domains\": null and \"domain_data\": null when unset"},
	{"POST", "/organizations", "domain_data", "CreateOrganizationOpts sends \"domain_data\": null when unset"},
	{"PUT", "/organizations/{id}", "domain_data", "UpdateOrganizationOpts sends \"domain_data\": null when unset"},
	{"PUT", "/organizations/{id}", "Domains", "UpdateOrganizationOpts sends untagged Go field names"},
}

// undocumentedOK accepts answers the spec does not list for an operation
// but production gives (from the issue text or the emulator-wide behaviour
// of authentication and rate limiting). Their bodies are checked for the
// envelope shape instead.
func undocumentedOK(method, specPath string, status int) (string, bool) {
	switch {
	case status == 401:
		return "every endpoint answers 401 without a valid sk_ key", true
	case status == 429:
		return "every endpoint is rate-limited", true
	case status >= 500:
		return "injected fault", true
	case status == 409 && method == "POST":
		return "Idempotency-Key reuse, or an existing membership (organization_membership_already_exists)", true
	case status == 404:
		return "unknown object; production answers 404 {message}", true
	case status == 400 && method == "POST":
		return "body that is not a JSON object", true
	}
	return "", false
}

var specPathParam = regexp.MustCompile(`\{[^}]+\}`)

// contractCheck wraps h so every exchange is validated. Tests that need a
// real connection (dropped-connection faults) use the Server directly.
func contractCheck(t testing.TB, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		// Validate before answering, so the exchange is counted by the
		// time the client has its response (see validatedExchanges).
		if err := validateExchange(r, body, rec); err != nil {
			t.Errorf("contract: %s %s -> %d: %v\nrequest: %s\nresponse: %s", r.Method, r.URL, rec.Code, err, body, rec.Body.Bytes())
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

func validateExchange(r *http.Request, reqBody []byte, rec *httptest.ResponseRecorder) error {
	if rec.Header().Get("X-Request-ID") == "" {
		return fmt.Errorf("no X-Request-ID header")
	}
	if rec.Body.Len() > 0 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		return fmt.Errorf("body with Content-Type %q", rec.Header().Get("Content-Type"))
	}
	if rec.Code == 429 {
		if _, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil {
			return fmt.Errorf("429 without an integer Retry-After: %q", rec.Header().Get("Retry-After"))
		}
	}
	v, _, err := loadSpec()
	if v == nil || err != nil {
		return nil
	}
	if strings.HasPrefix(r.URL.Path, "/_emulator/") {
		return nil
	}
	// The spec spells paths in lower case; the SDK's /Organizations/ is
	// matched case-insensitively by production and by the emulator.
	vreq := r.Clone(r.Context())
	vreq.URL.Path = "/" + lowerFirstSegment(strings.TrimPrefix(r.URL.Path, "/"))
	vreq.URL.RawPath = ""
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	resp := &http.Response{StatusCode: rec.Code, Header: rec.Header().Clone(), Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes())), Request: vreq}

	spec.mu.Lock()
	reqOK, reqErrs := v.ValidateHttpRequest(vreq)
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	respOK, respErrs := v.ValidateHttpResponse(vreq, resp)
	spec.mu.Unlock()

	op := specOperation(reqErrs, respErrs, vreq)
	if op == "" {
		// Not a spec path (the legacy /organizations/{id}/roles the SDK
		// calls): nothing to validate against.
		return nil
	}
	spec.statsMu.Lock()
	spec.exchanges++
	spec.ops[fmt.Sprintf("%s %s %d", r.Method, op, rec.Code)]++
	spec.statsMu.Unlock()

	if !reqOK {
		reqErrs = dropKnownSDK(r.Method, op, reqErrs)
		// A request the spec rejects must be one the emulator rejects too.
		if len(reqErrs) > 0 && rec.Code < 400 {
			return fmt.Errorf("emulator accepted a request the spec rejects: %s", describe(reqErrs))
		}
	}
	if !respOK {
		if _, ok := undocumentedOK(r.Method, op, rec.Code); ok && onlyMissingStatus(respErrs) {
			return checkEnvelope(rec)
		}
		return fmt.Errorf("response does not match the spec: %s", describe(respErrs))
	}
	return nil
}

func lowerFirstSegment(p string) string {
	first, rest, _ := strings.Cut(p, "/")
	if strings.EqualFold(first, "organizations") {
		first = "organizations"
	}
	if rest == "" {
		return first
	}
	return first + "/" + rest
}

// specOperation names the spec path the request matched, or "" if none.
func specOperation(reqErrs, respErrs []*verrors.ValidationError, r *http.Request) string {
	for _, e := range append(reqErrs, respErrs...) {
		if e.ValidationType == "path" && (e.ValidationSubType == "missing" || strings.Contains(e.Message, "not found")) {
			return ""
		}
	}
	return specRoute(r.URL.Path)
}

// specRoute maps a concrete path to a template for the coverage summary.
func specRoute(p string) string {
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range segs {
		if ulidLike.MatchString(s) || (i > 0 && (segs[i-1] == "external_id" || segs[i-1] == "roles" || segs[i-1] == "permissions")) {
			segs[i] = "{}"
		}
	}
	return "/" + strings.Join(segs, "/")
}

var ulidLike = regexp.MustCompile(`_[0-9A-Z]{26}$`)

// validatedExchanges is how many exchanges the contract check has matched
// to a spec operation and validated so far, or -1 without the spec.
func validatedExchanges() int {
	if v, _, _ := loadSpec(); v == nil {
		return -1
	}
	spec.statsMu.Lock()
	defer spec.statsMu.Unlock()
	return spec.exchanges
}

// wantValidated fails t unless the contract check validated at least one
// exchange of each operation ("METHOD /spec/route STATUS", as the coverage
// summary spells them), so a test can prove its requests met a spec path
// rather than passing by default. Without the spec it does nothing.
func wantValidated(t *testing.T, ops ...string) {
	t.Helper()
	if v, _, _ := loadSpec(); v == nil {
		return
	}
	spec.statsMu.Lock()
	defer spec.statsMu.Unlock()
	for _, op := range ops {
		if spec.ops[op] == 0 {
			t.Errorf("contract check validated no %q exchange", op)
		}
	}
}

func dropKnownSDK(method, op string, errs []*verrors.ValidationError) []*verrors.ValidationError {
	var keep []*verrors.ValidationError
outer:
	for _, e := range errs {
		text := describe([]*verrors.ValidationError{e})
		for _, d := range knownSDKDeviations {
			if d.method == method && specPathParam.ReplaceAllString(d.path, "{}") == specPathParam.ReplaceAllString(op, "{}") && strings.Contains(text, d.fragment) {
				continue outer
			}
		}
		keep = append(keep, e)
	}
	return keep
}

func onlyMissingStatus(errs []*verrors.ValidationError) bool {
	for _, e := range errs {
		if !strings.Contains(strings.ToLower(e.Message+e.Reason), "response code") &&
			!strings.Contains(strings.ToLower(e.Message+e.Reason), "not defined") {
			return false
		}
	}
	return true
}

// checkEnvelope checks an answer the spec does not document: JSON with a
// message, as every WorkOS error has.
func checkEnvelope(rec *httptest.ResponseRecorder) error {
	if !bytes.Contains(rec.Body.Bytes(), []byte(`"message":`)) {
		return fmt.Errorf("error body without message: %s", rec.Body.Bytes())
	}
	return nil
}

func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "[%s/%s] %s: %s", e.ValidationType, e.ValidationSubType, e.Message, e.Reason)
		for _, f := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, " {%s at %s}", f.Reason, f.FieldPath)
		}
		b.WriteString("; ")
	}
	return b.String()
}

// TestContract makes the spec's absence visible as a skip with the reason;
// the checking itself happens in every other test through startEmu.
func TestContract(t *testing.T) {
	v, path, err := loadSpec()
	if err != nil || v == nil {
		t.Skipf("contract validation skipped: WorkOS OpenAPI spec not readable at %s (%v); set WORKOS_OPENAPI_SPEC to its path", path, err)
	}
	t.Logf("spec %s loaded once for the binary in %v", path, spec.took.Round(time.Millisecond))
}

// TestMain prints which operations and statuses the suite validated, so a
// reader can see the contract coverage in `go test -v` output.
func TestMain(m *testing.M) {
	// Load the spec before any test starts its clock: it takes about a
	// second, and well over the SDK's 10 s client timeout under -race.
	_, _, _ = loadSpec()
	code := m.Run()
	if spec.v != nil && testing.Verbose() {
		keys := make([]string, 0, len(spec.ops))
		for k := range spec.ops {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Printf("contract: %d exchanges validated against %s\n", spec.exchanges, filepath.Base(spec.path))
		for _, k := range keys {
			fmt.Printf("  %-70s %d\n", k, spec.ops[k])
		}
	}
	os.Exit(code)
}

// TestContractCatchesDrift proves the check is not vacuous: answers that
// drift from the spec, or a request the spec rejects but the emulator
// accepted, are reported.
func TestContractCatchesDrift(t *testing.T) {
	if v, path, err := loadSpec(); v == nil {
		t.Skipf("contract validation skipped: WorkOS OpenAPI spec not readable at %s (%v)", path, err)
	}
	const goodUser = `{"object":"user","id":"user_01HXYZ123456789ABCDEFGHIJ","email":"a@b.co","first_name":null,"last_name":null,"profile_picture_url":null,"email_verified":false,"external_id":null,"metadata":{},"last_sign_in_at":null,"locale":null,"created_at":"2026-01-15T12:00:00.000Z","updated_at":"2026-01-15T12:00:00.000Z"}`
	tests := []struct {
		name    string
		reqBody string
		status  int
		resp    string
		wantErr bool
	}{
		{"valid create", `{"email":"a@b.co"}`, 201, goodUser, false},
		{"missing object field", `{"email":"a@b.co"}`, 201, `{"id":"user_01HXYZ123456789ABCDEFGHIJ","email":"a@b.co"}`, true},
		{"null omitted instead of explicit", `{"email":"a@b.co"}`, 201, `{"object":"user","id":"u","email":"a@b.co","email_verified":false,"created_at":"2026-01-15T12:00:00.000Z","updated_at":"2026-01-15T12:00:00.000Z"}`, true},
		{"error without message", `{"email":"a@b.co"}`, 404, `{"error":"nope"}`, true},
		{"md5 hash accepted", `{"email":"a@b.co","password_hash":"x","password_hash_type":"md5"}`, 201, goodUser, true},
		{"md5 hash rejected", `{"email":"a@b.co","password_hash":"x","password_hash_type":"md5"}`, 400, `{"code":"invalid_password_hash","message":"bad"}`, false},
		{"undocumented 418", `{"email":"a@b.co"}`, 418, `{"message":"teapot"}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/user_management/users", strings.NewReader(tc.reqBody))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+testKey)
			rec := httptest.NewRecorder()
			rec.Header().Set("X-Request-ID", "req")
			rec.Header().Set("Content-Type", "application/json")
			rec.WriteHeader(tc.status)
			rec.WriteString(tc.resp)
			err := validateExchange(req, []byte(tc.reqBody), rec)
			if (err != nil) != tc.wantErr {
				t.Fatalf("validateExchange = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}
