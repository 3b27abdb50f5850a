// Package firebase reads a Firebase Auth export (`firebase auth:export`,
// JSON or the headerless CSV layout) and, opt-in, the Identity Platform SSO
// provider configurations of the project, and hands them to the source
// kit. It knows Firebase's formats and APIs and nothing of the database.
//
// The glue calls
//
//	counts, err := firebase.Ingest(ctx, db, opts)
//
// which stages the export (and, with Options.SSO, the SAML and OIDC
// providers) in one transaction. Decode is the decoder it runs, for tests
// and for readers of saved exports. Org- and role-mapping files name
// Firebase users in the MappingUserColumn column; the kit reads them.
package firebase

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/passhash"
	"github.com/mig-tools/mig/staging"
)

// ProviderName is the source name staged rows of Firebase carry.
const ProviderName = "firebase"

// MappingUserColumn is the user-id column of org- and role-mapping files for
// Firebase users: the user's localId (its uid), which is its external id.
const MappingUserColumn = "firebase_uid"

// MappingUserColumns are the columns a mapping file may name a Firebase
// user by: its uid, or the kit's generic columns (ingest.Mappings).
var MappingUserColumns = []string{MappingUserColumn, ingest.UserIDColumn, ingest.ExternalIDColumn, ingest.EmailColumn}

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

// Options are the inputs of one ingest of an export.
type Options struct {
	// File is the export (ingest.Stdin for standard input).
	File string
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
	// SSO, when set, also reads the project's Identity Platform SAML and
	// OIDC providers (FetchSSO) into the same run.
	SSO *SSOOptions
	// IncludeSecrets stages the OIDC client secrets of those providers.
	IncludeSecrets bool
	// OrgMapping and RoleMapping are optional mapping files
	// (ingest.Mappings); Tenant keeps two Firebase projects apart in one
	// database.
	OrgMapping, RoleMapping string
	Tenant                  string
	Settings                ingest.Settings
	Log                     *slog.Logger
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

// Ingest stages the export of o, and with o.SSO the project's SSO
// providers, in one transaction: a bad export returns an error naming the
// file, the line (and, for JSON, the user's index and byte offset) and the
// field, and leaves the database as it was. The same export with the same
// options again returns ingest.ErrUnchanged, unless SSO providers are read:
// an API is read every time.
func Ingest(ctx context.Context, db *staging.DB, o Options) (ingest.Counts, error) {
	if err := o.Validate(); err != nil {
		return ingest.Counts{}, err
	}
	var complete []ingest.Kind
	if o.SSO != nil {
		complete = append(complete, ingest.SSOConnections)
	}
	return ingest.Ingest(ctx, db, ingest.Spec{
		Source:         ingest.Source{Provider: ProviderName, Tenant: o.Tenant},
		Files:          []*ingest.File{{Role: "users", Path: o.File}},
		Options:        o.runOptions(),
		Settings:       o.Settings,
		Mappings:       ingest.Mappings{OrgMapping: o.OrgMapping, RoleMapping: o.RoleMapping, UserColumns: MappingUserColumns},
		IncludeSecrets: o.IncludeSecrets,
		Fetches:        o.SSO != nil,
		Complete:       complete,
		Decode: func(ctx context.Context, in ingest.Inputs, sink ingest.DefinitionSink) error {
			return Decode(ctx, in, sink, o)
		},
		Log: o.Log,
	})
}

// runOptions are what a run is compared by: every option that changes
// what is staged. The hash parameters are recorded as a digest, never as
// themselves.
func (o Options) runOptions() map[string]any {
	hash := ""
	if o.Hash != nil {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s$%s$%d$%d", o.Hash.SignerKey, o.Hash.SaltSeparator, o.Hash.Rounds, o.Hash.MemCost)))
		hash = hex.EncodeToString(sum[:8])
	}
	opts := map[string]any{"format": o.Format, "name_split": string(o.NameSplit), "include_disabled": o.IncludeDisabled,
		"skip_passwords": o.SkipPasswords, "hash_parameters": hash}
	if o.SSO != nil {
		opts["sso"] = map[string]any{"project_id": o.SSO.ProjectID, "tenants": o.SSO.Tenants, "all_tenants": o.SSO.AllTenants}
	}
	return opts
}

// Decode reads the export of o and hands every user to sink (staged, or
// skipped with its reason, with the warnings about it), one at a time: a
// 5 GB export is never held whole. With o.SSO it first hands over the
// project's SSO providers, so that a key or project that does not work
// fails before the export is read. An export with no users is refused.
func Decode(ctx context.Context, in ingest.Inputs, sink ingest.DefinitionSink, o Options) error {
	if err := o.Validate(); err != nil {
		return err
	}
	if o.SSO != nil {
		if err := FetchSSO(ctx, *o.SSO, sink); err != nil {
			return err
		}
	}
	format := o.Format
	if format == "" {
		var err error
		if format, err = formatOf(in, o.File); err != nil {
			return err
		}
	}
	m, err := newMapper(o)
	if err != nil {
		return err
	}
	var rows int
	switch format {
	case FormatJSON:
		rows, err = decodeJSON(ctx, in, o.File, m, sink)
	default:
		rows, err = decodeCSV(ctx, in, o.File, m, sink)
	}
	if err != nil {
		return err
	}
	if rows == 0 {
		// ingest.NoUserRows speaks of a CSV header; an auth:export has none.
		return &ingest.LineError{File: o.File, Line: 1, Msg: "the export has no users: an export with no users is refused (was it cut short, or taken from an empty project?)"}
	}
	return m.finish(ctx, sink)
}

// formatOf is the export's format by extension, else by its first byte
// (a JSON export starts with "{").
func formatOf(in ingest.Inputs, path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return FormatJSON, nil
	case ".csv":
		return FormatCSV, nil
	}
	f, err := in.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b := make([]byte, 512)
	n, err := io.ReadFull(f, b)
	if err != nil && n == 0 && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	b = bytes.TrimLeft(bytes.TrimPrefix(b[:n], []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(b) > 0 && (b[0] == '{' || b[0] == '[' || b[0] == 0x1f) {
		return FormatJSON, nil // 0x1f: gzip, which the JSON reader takes
	}
	return FormatCSV, nil
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

// mapper turns records into staged users, counting what is said once per
// read rather than per user.
type mapper struct {
	o    Options
	file string
	// scrypt is the project's hash parameters, decoded once; each user's
	// hash and salt complete it.
	scrypt         *passhash.FirebaseScrypt
	noParams       int // users with a hash and no parameters given
	skippedHashes  int // users whose hash SkipPasswords left out
	firstNoParams  int
	firstNoParamID string
}

// newMapper prepares the mapping of o's users. o was validated.
func newMapper(o Options) (*mapper, error) {
	m := &mapper{o: o, file: o.File}
	if o.Hash != nil {
		sk, err := passhash.DecodeBase64(o.Hash.SignerKey)
		if err != nil {
			return nil, fmt.Errorf("hash parameters: base64_signer_key: %w", err)
		}
		ss, err := passhash.DecodeBase64(o.Hash.SaltSeparator)
		if err != nil {
			return nil, fmt.Errorf("hash parameters: base64_salt_separator: %w", err)
		}
		m.scrypt = &passhash.FirebaseScrypt{SignerKey: sk, SaltSeparator: ss, Rounds: o.Hash.Rounds, MemCost: o.Hash.MemCost}
	}
	return m, nil
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
		return sink.Skip(ctx, m.file, row, id, email, "disabled in Firebase: not imported unless --include-disabled is given", rawRecord(r, masked))
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

	entries := make([]ingest.MetadataEntry, 0, 8)
	entries = append(entries, ingest.MetadataEntry{Key: metaUID, Value: u.ExternalID}, ingest.MetadataEntry{Key: metaPhone, Value: phone},
		ingest.MetadataEntry{Key: metaPhoto, Value: strings.TrimSpace(r.PhotoURL)})
	if len(r.ProviderUserInfo) > 0 {
		ids := make([]string, 0, len(r.ProviderUserInfo))
		for _, p := range r.ProviderUserInfo {
			ids = append(ids, p.ProviderID)
		}
		entries = append(entries, ingest.MetadataEntry{Key: metaProviders, Value: strings.Join(ids, ",")})
		for _, p := range r.ProviderUserInfo {
			// The password and phone methods' ids are the email and the
			// phone number, already staged; the others' are the user's id
			// at Google, GitHub, a SAML or OIDC provider, ...
			if p.ProviderID != "password" && p.ProviderID != "phone" {
				entries = append(entries, ingest.MetadataEntry{Key: "provider:" + p.ProviderID, Value: p.RawID})
			}
		}
	}
	if r.Disabled {
		entries = append(entries, ingest.MetadataEntry{Key: metaDisabled, Value: "true"})
	}
	if s := strings.TrimSpace(r.CustomAttributes); s != "" {
		claims, err := customClaims(s)
		if err != nil {
			if err := warn("firebase_custom_attributes_unreadable", fmt.Sprintf("customAttributes is not a JSON object (%v); it is kept in users.raw but not in metadata", err)); err != nil {
				return err
			}
		}
		entries = append(entries, claims...)
	}
	meta, problems := ingest.FitMetadata(entries)
	for _, p := range problems {
		if err := warn(p.Code, p.Message); err != nil {
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
	h, errH := passhash.DecodeBase64(hash)
	s, errS := passhash.DecodeBase64(salt)
	switch {
	case hash == "" || salt == "" || errH != nil || errS != nil:
		u.SourceHasher = hasherBroken
		return masked, warn("firebase_password_hash_unreadable", fmt.Sprintf("passwordHash and salt must both be base64 (hash: %s, salt: %s); no password is staged and the user will have to reset it", b64State(hash, errH), b64State(salt, errS)))
	case m.scrypt == nil:
		if m.noParams == 0 {
			m.firstNoParams, m.firstNoParamID = u.Row, u.SourceID
		}
		m.noParams++
		u.SourceHasher = hasherNoParams
		return masked, nil
	}
	f := *m.scrypt
	f.Hash, f.Salt = h, s
	u.PasswordHash = f.String()
	u.PasswordHashType = "firebase-scrypt"
	u.SourceDigest, u.SourceHasher = "", ""
	return masked, nil
}

func b64State(s string, err error) string {
	switch {
	case s == "":
		return "empty"
	case err != nil:
		return "not base64"
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
func customClaims(s string) ([]ingest.MetadataEntry, error) {
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
	out := make([]ingest.MetadataEntry, 0, len(keys))
	for _, k := range keys {
		v := obj[k]
		var str string
		if json.Unmarshal(v, &str) != nil {
			var buf bytes.Buffer
			json.Compact(&buf, v)
			str = buf.String()
		}
		out = append(out, ingest.MetadataEntry{Key: k, Value: str})
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

// decodeJSON streams {"users": [ ... ]} (or a bare array of users) with
// the kit's JSON array reader: one user is held at a time. row is the
// user's 1-based index.
func decodeJSON(ctx context.Context, in ingest.Inputs, path string, m *mapper, sink ingest.Sink) (int, error) {
	f, a, err := in.OpenJSONArray(path, "users")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	var rec Record
	for {
		rec = Record{}
		i, err := a.Next(&rec)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		if err := m.user(ctx, sink, &rec, i+1); err != nil {
			return n, err
		}
	}
}
