// Package firebase reads a Firebase Auth export (`firebase auth:export`,
// JSON or the headerless CSV layout) and, opt-in, the Identity Platform SSO
// provider configurations of the project, and hands them to the source
// kit's Sink. It knows Firebase's formats and APIs and nothing of the
// database.
//
// The glue calls
//
//	sum, err := firebase.Read(ctx, path, opts, sink)   // the users
//	err = firebase.FetchSSO(ctx, ssoOpts, sink)         // SAML and OIDC providers
//
// Org- and role-mapping files for Firebase users name them in the
// MappingUserColumn column; the kit's generic mapping readers read them.
package firebase

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/mig-tools/mig/ingest"
)

// ProviderName is the source name staged rows of Firebase carry.
const ProviderName = "firebase"

// MappingUserColumn is the user-id column of org- and role-mapping files for
// Firebase users: the user's localId (its uid), which is its external id.
const MappingUserColumn = "firebase_uid"

// NameSplit says how a displayName becomes a first and a last name.
type NameSplit string

// The ways to split a displayName.
const (
	// SplitFirstSpace: the first word is the first name, the rest the last
	// name ("Mary Ann Smith" -> "Mary", "Ann Smith"). The default.
	SplitFirstSpace NameSplit = "first-space"
	// SplitLastSpace: the last word is the last name ("Mary Ann", "Smith").
	SplitLastSpace NameSplit = "last-space"
	// SplitFirstNameOnly: the whole name is the first name.
	SplitFirstNameOnly NameSplit = "first-name-only"
)

// Formats of an export.
const (
	FormatJSON = "json"
	FormatCSV  = "csv"
)

// Options are the inputs of one read of an export.
type Options struct {
	// Format is json or csv; empty takes it from the file's extension, or
	// from its first byte when the extension says neither.
	Format string
	// Hash is the project's password hash parameters; nil when not given,
	// and then no password is imported (one warning counts the users).
	Hash *HashConfig
	// SkipPasswords imports no password even with the parameters.
	SkipPasswords   bool
	NameSplit       NameSplit // empty means first-space
	IncludeDisabled bool      // stage users disabled in Firebase; by default they are skipped
}

// Validate checks the options (and normalises the hash parameters) before
// a byte of the export is read.
func (o *Options) Validate() error {
	switch o.NameSplit {
	case "":
		o.NameSplit = SplitFirstSpace
	case SplitFirstSpace, SplitLastSpace, SplitFirstNameOnly:
	default:
		return fmt.Errorf("name split %q is not one of first-space, last-space, first-name-only", o.NameSplit)
	}
	if o.Format != "" && o.Format != FormatJSON && o.Format != FormatCSV {
		return fmt.Errorf("format %q is not json or csv", o.Format)
	}
	if o.Hash != nil {
		h, err := o.Hash.Validate()
		if err != nil {
			return fmt.Errorf("hash parameters: %w", err)
		}
		o.Hash = &h
	}
	return nil
}

// Record is one user of an export, with the field names of auth:export's
// JSON (the CSV layout holds the same fields by position).
type Record struct {
	LocalID          string         `json:"localId"`
	Email            string         `json:"email"`
	EmailVerified    bool           `json:"emailVerified"`
	DisplayName      string         `json:"displayName"`
	PhotoURL         string         `json:"photoUrl"`
	PhoneNumber      string         `json:"phoneNumber"`
	PasswordHash     string         `json:"passwordHash"`
	Salt             string         `json:"salt"`
	Disabled         bool           `json:"disabled"`
	CreatedAt        json.Number    `json:"createdAt"`
	LastSignedInAt   json.Number    `json:"lastSignedInAt"`
	LastLoginAt      json.Number    `json:"lastLoginAt"` // the API's name; auth:export renames it
	CustomAttributes string         `json:"customAttributes"`
	ProviderUserInfo []ProviderInfo `json:"providerUserInfo"`
	// Not written by auth:export, kept in the raw row when another tool's
	// dump of the same API has them.
	MFAInfo  json.RawMessage `json:"mfaInfo"`
	TenantID string          `json:"tenantId"`
}

// ProviderInfo is one sign-in method linked to a user.
type ProviderInfo struct {
	ProviderID  string `json:"providerId"` // password, phone, google.com, ...
	RawID       string `json:"rawId"`
	Email       string `json:"email"`
	DisplayName string `json:"displayName"`
	PhotoURL    string `json:"photoUrl"`
}

// Summary is what a read saw.
type Summary struct {
	Format string
	Rows   int // users read, staged or skipped
}

// Read streams the export at path into sink, one user at a time, in
// constant memory: a 5 GB export is never held whole. Bad input fails with
// an error naming the file, the line (and, for JSON, the user's index and
// byte offset) and the field.
func Read(ctx context.Context, path string, o Options, sink ingest.Sink) (Summary, error) {
	if err := o.Validate(); err != nil {
		return Summary{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Summary{}, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	format := o.Format
	if format == "" {
		format = formatOf(path, br)
	}
	m := newMapper(o, path)
	sum := Summary{Format: format}
	switch format {
	case FormatJSON:
		sum.Rows, err = decodeJSON(ctx, br, path, m, sink)
	default:
		sum.Rows, err = decodeCSV(ctx, br, path, m, sink)
	}
	if err != nil {
		return sum, err
	}
	return sum, m.finish(ctx, sink)
}

// formatOf is the export's format by extension, else by its first byte
// (a JSON export starts with "{").
func formatOf(path string, br *bufio.Reader) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return FormatJSON
	case ".csv":
		return FormatCSV
	}
	b, _ := br.Peek(512)
	b = bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		return FormatJSON
	}
	return FormatCSV
}

// mapper turns records into staged users, counting what is said once per
// read rather than per user.
type mapper struct {
	o    Options
	file string
	// hashTail is the part of every firebase-scrypt string after the
	// user's own hash and salt: "$sk=..$ss=..$r=..$m=..".
	hashTail       string
	noParams       int // users with a hash and no parameters given
	skippedHashes  int // users whose hash SkipPasswords left out
	firstNoParams  int
	firstNoParamID string
}

func newMapper(o Options, file string) *mapper {
	m := &mapper{o: o, file: file}
	if o.Hash != nil {
		m.hashTail = "$sk=" + o.Hash.SignerKey + "$ss=" + o.Hash.SaltSeparator + "$r=" + strconv.Itoa(o.Hash.Rounds) + "$m=" + strconv.Itoa(o.Hash.MemCost)
	}
	return m
}

// Metadata keys mig sets on a Firebase user, before the custom claims.
const (
	metaUID       = "firebase_uid"
	metaPhone     = "phone_number"
	metaPhoto     = "photo_url"
	metaProviders = "firebase_providers"
	metaDisabled  = "firebase_disabled"
)

// Source hashers recorded with a password that is not imported; mig check
// (password_reset_required) shows them per user.
const (
	hasherNoParams = "SCRYPT (the project's hash parameters were not given)"
	hasherBroken   = "SCRYPT (the hash or salt is unreadable)"
	masked         = "[stored separately]"
)

// user maps one record and hands it to sink. row is the CSV line, or the
// 1-based index of the user in a JSON export.
func (m *mapper) user(ctx context.Context, sink ingest.Sink, r *Record, row int) error {
	id := strings.TrimSpace(r.LocalID)
	email := strings.TrimSpace(r.Email)
	warn := func(code, msg string) error {
		return sink.Warn(ctx, ingest.Warning{Code: code, Message: msg, Entity: "user", SourceID: id, File: m.file, Row: row})
	}
	byEmail := id == ""
	if byEmail {
		if email == "" {
			return sink.Skip(ctx, m.file, row, "", "", "no localId and no email address: the user cannot be told apart from others, and WorkOS users need an email", rawRecord(r, masked))
		}
		// Not an auth:export (which always writes localId), but another
		// tool's dump: the user is keyed by its email, with no external id.
		id = "email:" + ingest.NormalizeEmail(email)
		if err := warn("firebase_local_id_missing", "the user has no localId; it is keyed by its email and staged without an external id"); err != nil {
			return err
		}
	}
	if r.Disabled && !m.o.IncludeDisabled {
		return sink.Skip(ctx, m.file, row, id, email, "disabled in Firebase: a disabled user is not imported unless asked for", rawRecord(r, masked))
	}
	if email == "" {
		reason := "no email address: WorkOS users need one"
		if r.PhoneNumber != "" {
			reason = "no email address (phone-only user): WorkOS users need an email"
		}
		return sink.Skip(ctx, m.file, row, id, "", reason, rawRecord(r, masked))
	}

	u := &ingest.User{SourceID: id, Row: row, EmailRaw: email}
	if !byEmail {
		u.ExternalID = id
	}
	verified := r.EmailVerified
	u.EmailVerified = &verified
	u.Emails = []ingest.Email{{Email: email, Verified: verified, Primary: true}}
	phone := strings.TrimSpace(r.PhoneNumber)
	if phone != "" {
		u.Phones = []ingest.Phone{{Phone: phone, Primary: true}}
	}
	u.FirstName, u.LastName = splitName(r.DisplayName, m.o.NameSplit)

	pairs := make([]metaPair, 0, 8)
	pairs = append(pairs, metaPair{metaUID, u.ExternalID}, metaPair{metaPhone, phone}, metaPair{metaPhoto, strings.TrimSpace(r.PhotoURL)})
	if len(r.ProviderUserInfo) > 0 {
		ids := make([]string, 0, len(r.ProviderUserInfo))
		for _, p := range r.ProviderUserInfo {
			ids = append(ids, p.ProviderID)
		}
		pairs = append(pairs, metaPair{metaProviders, strings.Join(ids, ",")})
		for _, p := range r.ProviderUserInfo {
			// The password and phone methods' ids are the email and the
			// phone number, already staged; the others' are the user's id
			// at Google, GitHub, a SAML or OIDC provider, ...
			if p.ProviderID != "password" && p.ProviderID != "phone" {
				pairs = append(pairs, metaPair{"provider:" + p.ProviderID, p.RawID})
			}
		}
	}
	if r.Disabled {
		pairs = append(pairs, metaPair{metaDisabled, "true"})
	}
	if s := strings.TrimSpace(r.CustomAttributes); s != "" {
		claims, err := customClaims(s)
		if err != nil {
			if err := warn("firebase_custom_attributes_unreadable", fmt.Sprintf("customAttributes is not a JSON object (%v); it is kept in users.raw but not in metadata", err)); err != nil {
				return err
			}
		}
		pairs = append(pairs, claims...)
	}
	meta, problems := fitMetadata(pairs)
	for _, p := range problems {
		if err := warn("metadata_left_out", p.reason); err != nil {
			return err
		}
	}
	u.Metadata = meta

	hashNote, err := m.password(r, u, warn)
	if err != nil {
		return err
	}
	u.Raw = rawRecord(r, hashNote)
	return sink.AddUser(ctx, m.file, u)
}

// password stages the user's hash as WorkOS's firebase-scrypt string, or
// records why it is not imported. note is what the raw copy says in place
// of the hash and salt.
func (m *mapper) password(r *Record, u *ingest.User, warn func(code, msg string) error) (note string, err error) {
	hash, salt := strings.TrimSpace(r.PasswordHash), strings.TrimSpace(r.Salt)
	if hash == "" && salt == "" {
		return "", nil
	}
	if m.o.SkipPasswords {
		m.skippedHashes++
		return "[not imported: passwords skipped]", nil
	}
	u.SourceDigest = hash + "$" + salt
	u.SourceHasher = "SCRYPT"
	h, errH := normB64(hash)
	s, errS := normB64(salt)
	switch {
	case hash == "" || salt == "" || errH != nil || errS != nil:
		u.SourceHasher = hasherBroken
		return masked, warn("firebase_password_hash_unreadable", fmt.Sprintf("passwordHash and salt must both be base64 (hash: %s, salt: %s); no password is staged and the user will have to reset it", b64State(hash, errH), b64State(salt, errS)))
	case m.o.Hash == nil:
		if m.noParams == 0 {
			m.firstNoParams, m.firstNoParamID = u.Row, u.SourceID
		}
		m.noParams++
		u.SourceHasher = hasherNoParams
		return masked, nil
	}
	u.PasswordHash = "$firebase-scrypt$hash=" + h + "$salt=" + s + m.hashTail
	u.PasswordHashType = "firebase-scrypt"
	u.SourceDigest, u.SourceHasher = "", ""
	return masked, nil
}

func b64State(s string, err error) string {
	switch {
	case s == "":
		return "empty"
	case err != nil:
		return err.Error()
	}
	return "ok"
}

// finish records what is true of the whole read: one warning each, with
// counts, instead of one per user.
func (m *mapper) finish(ctx context.Context, sink ingest.Sink) error {
	if m.noParams > 0 {
		if err := sink.Warn(ctx, ingest.Warning{Code: "firebase_hash_parameters_missing", Entity: "user", File: m.file, Row: m.firstNoParams, SourceID: m.firstNoParamID,
			Message: fmt.Sprintf("%d users have a password hash, but the project's hash parameters were not given (--hash-config, or --signer-key, --salt-separator, --rounds and --memory-cost): they are staged without a password and would have to reset it; ingest again with the parameters to keep their passwords", m.noParams)}); err != nil {
			return err
		}
	}
	if m.skippedHashes > 0 {
		return sink.Warn(ctx, ingest.Warning{Code: "firebase_passwords_skipped", Entity: "user", File: m.file,
			Message: fmt.Sprintf("%d password hashes were left out as asked (--skip-passwords): those users will have to reset their password", m.skippedHashes)})
	}
	return nil
}

// splitName splits a displayName by the chosen rule.
func splitName(name string, how NameSplit) (first, last string) {
	name = strings.TrimSpace(name)
	if name == "" || how == SplitFirstNameOnly {
		return name, ""
	}
	f := strings.Fields(name)
	switch {
	case len(f) == 1:
		return f[0], ""
	case how == SplitLastSpace:
		return strings.Join(f[:len(f)-1], " "), f[len(f)-1]
	default:
		return f[0], strings.Join(f[1:], " ")
	}
}

// customClaims reads customAttributes, the user's custom claims as a JSON
// object, as metadata entries sorted by key: strings as they are, other
// values as their JSON text.
func customClaims(s string) ([]metaPair, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &obj); err != nil {
		return nil, err
	}
	if obj == nil {
		return nil, fmt.Errorf("null")
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]metaPair, 0, len(keys))
	for _, k := range keys {
		v := obj[k]
		var str string
		if json.Unmarshal(v, &str) != nil {
			var buf bytes.Buffer
			json.Compact(&buf, v)
			str = buf.String()
		}
		out = append(out, metaPair{k, str})
	}
	return out, nil
}

// rawRecord is the copy of the record kept in users.raw (and with skipped
// rows): a JSON object of every field the export has, keys sorted, the
// password hash and salt replaced by hashNote. It is written by hand: built
// as a map and marshalled, it was a third of the time of mapping a user.
func rawRecord(r *Record, hashNote string) json.RawMessage {
	b := make([]byte, 0, 512)
	b = append(b, '{')
	str := func(k, v string) {
		if v == "" {
			return
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendString(append(appendString(b, k), ':'), v)
	}
	lit := func(k string, v []byte) {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(append(appendString(b, k), ':'), v...)
	}
	str("createdAt", r.CreatedAt.String())
	str("customAttributes", r.CustomAttributes)
	if r.Disabled {
		lit("disabled", []byte("true"))
	}
	str("displayName", r.DisplayName)
	str("email", r.Email)
	if r.EmailVerified {
		lit("emailVerified", []byte("true"))
	} else {
		lit("emailVerified", []byte("false"))
	}
	str("lastLoginAt", r.LastLoginAt.String())
	str("lastSignedInAt", r.LastSignedInAt.String())
	str("localId", r.LocalID)
	if len(r.MFAInfo) > 0 && !bytes.Equal(r.MFAInfo, []byte("null")) {
		lit("mfaInfo", r.MFAInfo)
	}
	if r.PasswordHash != "" {
		str("passwordHash", hashNote)
	}
	str("phoneNumber", r.PhoneNumber)
	str("photoUrl", r.PhotoURL)
	if len(r.ProviderUserInfo) > 0 {
		p := make([]byte, 0, 128*len(r.ProviderUserInfo))
		p = append(p, '[')
		for i, pi := range r.ProviderUserInfo {
			if i > 0 {
				p = append(p, ',')
			}
			p = append(p, '{')
			first := true
			for _, kv := range [...][2]string{{"providerId", pi.ProviderID}, {"rawId", pi.RawID}, {"email", pi.Email}, {"displayName", pi.DisplayName}, {"photoUrl", pi.PhotoURL}} {
				if kv[1] == "" {
					continue
				}
				if !first {
					p = append(p, ',')
				}
				first = false
				p = appendString(append(appendString(p, kv[0]), ':'), kv[1])
			}
			p = append(p, '}')
		}
		lit("providerUserInfo", append(p, ']'))
	}
	if r.Salt != "" {
		str("salt", hashNote)
	}
	str("tenantId", r.TenantID)
	return append(b, '}')
}

// appendString appends s as a JSON string: plain printable ASCII, nearly
// every value, is copied; anything else goes through encoding/json.
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(dst, q...)
		}
	}
	return append(append(append(dst, '"'), s...), '"')
}

// decodeJSON streams {"users": [ ... ]} (or a bare array of users) with a
// token decoder: one user is held at a time.
func decodeJSON(ctx context.Context, r io.Reader, path string, m *mapper, sink ingest.Sink) (int, error) {
	dec := json.NewDecoder(r)
	jerr := func(err error, user int, field string) error { return jsonError(path, dec, err, user, field) }
	tok, err := dec.Token()
	if err != nil {
		return 0, jerr(err, 0, "")
	}
	users := func() (int, error) {
		n := 0
		var rec Record
		for dec.More() {
			n++
			if n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return n, err
				}
			}
			rec = Record{}
			start := dec.InputOffset()
			if err := dec.Decode(&rec); err != nil {
				return n, jsonErrorAt(path, start, err, n)
			}
			if err := m.user(ctx, sink, &rec, n); err != nil {
				return n, err
			}
		}
		if _, err := dec.Token(); err != nil { // the closing ]
			return n, jerr(err, n, "")
		}
		return n, nil
	}
	n := 0
	switch tok {
	case json.Delim('['):
		if n, err = users(); err != nil {
			return n, err
		}
	case json.Delim('{'):
		seen := false
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return n, jerr(err, n, "")
			}
			if key != "users" {
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return n, jerr(err, n, fmt.Sprint(key))
				}
				continue
			}
			if seen {
				return n, jerr(fmt.Errorf("a second users array"), n, "users")
			}
			seen = true
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return n, jerr(orErr(err, "expected an array of users"), 0, "users")
			}
			if n, err = users(); err != nil {
				return n, err
			}
		}
		if !seen {
			return 0, jerr(fmt.Errorf(`no "users" array: a firebase auth:export JSON file is {"users": [...]}`), 0, "users")
		}
		if _, err := dec.Token(); err != nil {
			return n, jerr(err, n, "")
		}
	default:
		return 0, jerr(fmt.Errorf(`expected {"users": [...]}, the firebase auth:export JSON layout`), 0, "")
	}
	if _, err := dec.Token(); err != io.EOF {
		return n, jerr(orErr(err, "more data after the end of the export"), n, "")
	}
	return n, nil
}

func orErr(err error, msg string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%s", msg)
}

// jsonError places an error of the JSON structure around the users.
func jsonError(path string, dec *json.Decoder, err error, user int, field string) error {
	off := dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	msg := err.Error()
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		msg = "the file ends before the export does"
	}
	if user > 0 {
		msg = fmt.Sprintf("after user %d (byte %d): %s", user, off, msg)
	} else {
		msg = fmt.Sprintf("byte %d: %s", off, msg)
	}
	return placed(path, off, field, msg)
}

// jsonErrorAt places an error in the user that starts after byte start.
func jsonErrorAt(path string, start int64, err error, user int) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	off, field, msg := start, "", err.Error()
	switch {
	case errors.As(err, &te):
		// The offset of a type error counts from where this Decode began
		// and points at the end of the wrong value.
		off, field = start+te.Offset, te.Field
		msg = fmt.Sprintf("%s is %s, want %s", te.Field, te.Value, te.Type)
	case errors.As(err, &se):
		off = se.Offset
	case err == io.ErrUnexpectedEOF:
		off, msg = valueStart(path, start), "the file ends inside this user"
	}
	return placed(path, off, field, fmt.Sprintf("user %d (byte %d): %s", user, off, msg))
}

// placed is an error at byte off of the export: a LineError with its line
// when the file can be read again to count it, else one naming the file,
// the byte offset in msg saying where.
func placed(path string, off int64, field, msg string) error {
	if line := lineAt(path, off); line > 0 {
		return &ingest.LineError{File: path, Line: line, Field: field, Msg: msg}
	}
	if field != "" {
		return fmt.Errorf("%s: field %q: %s", path, field, msg)
	}
	return fmt.Errorf("%s: %s", path, msg)
}

// reopen opens the file at path again, to place an error in it: only a
// regular file can be read twice (a pipe, such as <(zcat export.json.gz),
// would wait for a writer that is gone).
func reopen(path string) (*os.File, bool) {
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return nil, false
	}
	f, err := os.Open(path)
	return f, err == nil
}

// lineAt is the 1-based line of byte offset off in the file at path,
// counted only when an error needs it; 0 when the file cannot be read again.
func lineAt(path string, off int64) int {
	f, ok := reopen(path)
	if !ok {
		return 0
	}
	defer f.Close()
	line := 1
	br := bufio.NewReaderSize(f, 1<<16)
	for n := int64(0); n < off; n++ {
		c, err := br.ReadByte()
		if err != nil {
			break
		}
		if c == '\n' {
			line++
		}
	}
	return line
}

// valueStart is the offset of the first byte of the value that follows
// offset after in the file: past the whitespace and the comma between two
// users.
func valueStart(path string, after int64) int64 {
	f, ok := reopen(path)
	if !ok {
		return after
	}
	defer f.Close()
	if _, err := f.Seek(after, io.SeekStart); err != nil {
		return after
	}
	br := bufio.NewReader(f)
	for off := after; ; off++ {
		c, err := br.ReadByte()
		if err != nil || !strings.ContainsRune(" \t\r\n,", rune(c)) {
			return off
		}
	}
}
