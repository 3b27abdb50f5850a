// Package clerk ingests a Clerk dashboard CSV export, with optional
// org-mapping and role-mapping files, into the staging database.
package clerk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/staging"
)

// Options are the inputs of one Clerk ingest.
type Options struct {
	UsersFile   string
	OrgMapping  string // optional: clerk_user_id + org_id / org_external_id / org_name (ingest.Mappings)
	RoleMapping string // optional: clerk_user_id, role_slug
	Tenant      string // tells two Clerk instances apart in one database
	TOTPIssuer  string // issuer recorded with TOTP secrets
	Log         *slog.Logger
	// Settings bound what one CSV record may hold and whether a re-ingest
	// may mark most users missing.
	Settings ingest.Settings
	// Enterprise, when set, also reads the instance's enterprise SSO
	// connections from the Backend API (FetchEnterpriseConnections) into
	// the same run. Its secret key is used for the requests only: it is
	// not among the options the run records.
	Enterprise *EnterpriseOptions
	// IncludeSecrets stages the connections' secrets (client secrets).
	IncludeSecrets bool
}

// Columns of the Clerk dashboard export.
const (
	colID               = "id"
	colFirstName        = "first_name"
	colLastName         = "last_name"
	colUsername         = "username"
	colPrimaryEmail     = "primary_email_address"
	colPrimaryPhone     = "primary_phone_number"
	colVerifiedEmails   = "verified_email_addresses"
	colUnverifiedEmails = "unverified_email_addresses"
	colVerifiedPhones   = "verified_phone_numbers"
	colUnverifiedPhones = "unverified_phone_numbers"
	colTOTPSecret       = "totp_secret"
	colPasswordDigest   = "password_digest"
	colPasswordHasher   = "password_hasher"
)

var knownColumns = map[string]bool{
	colID: true, colFirstName: true, colLastName: true, colUsername: true, colPrimaryEmail: true,
	colPrimaryPhone: true, colVerifiedEmails: true, colUnverifiedEmails: true, colVerifiedPhones: true,
	colUnverifiedPhones: true, colTOTPSecret: true, colPasswordDigest: true, colPasswordHasher: true,
}

// secretColumns are masked in the raw JSON copy: the digest and TOTP secret
// live in their own columns and nowhere else.
var secretColumns = map[string]bool{colPasswordDigest: true, colTOTPSecret: true}

// MappingUserColumn is the column of an org- or role-mapping file that
// names a Clerk user by its id.
const MappingUserColumn = "clerk_user_id"

// Ingest stages the export, and with o.Enterprise the instance's
// enterprise SSO connections. It is one transaction: any malformed file, or
// a request to the Backend API that fails for good, returns an error and
// leaves the database as it was. Ingesting the same files again returns
// ingest.ErrUnchanged, unless connections are read: an API is read every
// time.
func Ingest(ctx context.Context, db *staging.DB, o Options) (ingest.Counts, error) {
	opts := map[string]any{"totp_issuer": o.TOTPIssuer}
	var complete []ingest.Kind
	if e := o.Enterprise; e != nil {
		// Which instance is read, never the key that reads it.
		opts["enterprise_connections"] = orDefault(e.BaseURL, DefaultBackendAPI)
		complete = append(complete, ingest.SSOConnections)
	}
	return ingest.Ingest(ctx, db, ingest.Spec{
		Source:         ingest.Source{Provider: "clerk", Tenant: o.Tenant},
		Files:          []*ingest.File{{Role: "users", Path: o.UsersFile}},
		Options:        opts,
		Settings:       o.Settings,
		Mappings:       ingest.Mappings{OrgMapping: o.OrgMapping, RoleMapping: o.RoleMapping, UserColumns: []string{MappingUserColumn}},
		IncludeSecrets: o.IncludeSecrets,
		Fetches:        o.Enterprise != nil,
		Complete:       complete,
		Decode: func(ctx context.Context, in ingest.Inputs, sink ingest.DefinitionSink) error {
			// The connections first: a refused key fails before the
			// export is read.
			if o.Enterprise != nil {
				if err := FetchEnterpriseConnections(ctx, *o.Enterprise, sink); err != nil {
					return err
				}
			}
			return Decode(ctx, in, sink, o)
		},
		Log: o.Log,
	})
}

// Decode reads the users file of o and hands every row to sink: a user, or
// a row skipped with its reason, with the warnings about it. It refuses an
// export with no user rows.
func Decode(ctx context.Context, in ingest.Inputs, sink ingest.Sink, o Options) error {
	f, r, err := in.OpenCSV(o.UsersFile)
	if errors.Is(err, ingest.ErrJSON) {
		return fmt.Errorf("%w: mig ingest clerk reads the CSV export of Clerk's dashboard; Clerk's JSON export is not supported yet", err)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	header, err := r.Header(colID, colPrimaryEmail)
	if err != nil {
		return err
	}
	headerLine := r.Line()
	for _, h := range header {
		if !knownColumns[h] {
			if err := sink.Warn(ctx, ingest.Warning{Code: "unknown_column", File: o.UsersFile, Row: 1,
				Message: fmt.Sprintf("column %s is not part of Clerk's export; it is kept in users.raw but not sent to WorkOS", ingest.Excerpt(h))}); err != nil {
				return err
			}
		}
	}
	rows := 0
	for {
		rec, line, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		rows++
		if same, err := ingest.Unchanged(ctx, sink, r, o.UsersFile, line, rec); same || err != nil {
			if err != nil {
				return err
			}
			continue
		}
		if err := stageUser(ctx, sink, o, r, header, rec, line); err != nil {
			return err
		}
	}
	if rows == 0 {
		return ingest.NoUserRows(o.UsersFile, headerLine)
	}
	return warnShortRows(ctx, sink, r, o.UsersFile)
}

// warnShortRows says once per file that rows with missing trailing cells
// were read as if those cells were empty.
func warnShortRows(ctx context.Context, sink ingest.Sink, r *ingest.CSVReader, file string) error {
	if w, ok := r.ShortRowsWarning(file); ok {
		return sink.Warn(ctx, w)
	}
	return nil
}

func stageUser(ctx context.Context, run ingest.Sink, o Options, r *ingest.CSVReader, header, rec []string, line int) error {
	get := func(col string) string { return strings.TrimSpace(r.Get(rec, col)) }
	raw := make(map[string]string, len(header))
	for i, h := range header {
		switch {
		case rec[i] == "":
			// Empty cells are left out: raw is kept for every user, and at
			// ten million users every byte counts.
		case secretColumns[h]:
			raw[h] = "[stored separately]"
		default:
			raw[h] = rec[i]
		}
	}
	file := o.UsersFile
	id := get(colID)
	if id == "" {
		return &ingest.LineError{File: file, Line: line, Field: colID, Msg: "empty: every Clerk user has an id"}
	}
	verifiedEmails := ingest.SplitMulti(get(colVerifiedEmails))
	unverifiedEmails := ingest.SplitMulti(get(colUnverifiedEmails))
	verifiedPhones := ingest.SplitMulti(get(colVerifiedPhones))
	unverifiedPhones := ingest.SplitMulti(get(colUnverifiedPhones))
	primary := get(colPrimaryEmail)
	warn := func(code, msg string) error {
		return run.Warn(ctx, ingest.Warning{Code: code, Message: msg, Entity: "user", SourceID: id, File: file, Row: line})
	}

	if primary == "" && len(verifiedEmails) > 0 {
		primary = verifiedEmails[0]
		if err := warn("primary_email_missing", fmt.Sprintf("no primary_email_address; using the first verified address %s", ingest.Excerpt(primary))); err != nil {
			return err
		}
	}
	if primary == "" {
		reason := "no email address: WorkOS users need one"
		if get(colPrimaryPhone) != "" || len(verifiedPhones)+len(unverifiedPhones) > 0 {
			reason = "no email address (phone-only user): WorkOS users need an email"
		}
		return run.Skip(ctx, file, line, id, "", reason, raw)
	}

	u := &ingest.User{
		SourceID:   id,
		Row:        line,
		EmailRaw:   primary,
		FirstName:  get(colFirstName),
		LastName:   get(colLastName),
		ExternalID: id,
		Username:   get(colUsername),
		Raw:        raw,
		TOTPIssuer: o.TOTPIssuer,
	}

	// email_verified comes from the export's own lists, never assumed.
	norm := ingest.NormalizeEmail(primary)
	switch {
	case containsFold(verifiedEmails, norm):
		u.EmailVerified = ptr(true)
	case containsFold(unverifiedEmails, norm) || len(verifiedEmails) > 0:
		u.EmailVerified = ptr(false)
	default:
		if err := warn("email_verification_unknown", "the export lists no verified or unverified addresses, so whether "+ingest.Excerpt(primary)+" is verified is unknown; it is staged as not verified"); err != nil {
			return err
		}
		u.EmailVerified = ptr(false)
	}
	u.Emails = append(u.Emails, ingest.Email{Email: primary, Verified: *u.EmailVerified, Primary: true})
	for _, e := range verifiedEmails {
		if !strings.EqualFold(e, primary) {
			u.Emails = append(u.Emails, ingest.Email{Email: e, Verified: true})
		}
	}
	for _, e := range unverifiedEmails {
		if !strings.EqualFold(e, primary) && !containsFold(verifiedEmails, strings.ToLower(e)) {
			u.Emails = append(u.Emails, ingest.Email{Email: e})
		}
	}
	primaryPhone := get(colPrimaryPhone)
	if primaryPhone != "" {
		u.Phones = append(u.Phones, ingest.Phone{Phone: primaryPhone, Verified: containsFold(verifiedPhones, strings.ToLower(primaryPhone)), Primary: true})
	}
	for _, p := range verifiedPhones {
		if p != primaryPhone {
			u.Phones = append(u.Phones, ingest.Phone{Phone: p, Verified: true})
		}
	}
	for _, p := range unverifiedPhones {
		if p != primaryPhone && !containsFold(verifiedPhones, strings.ToLower(p)) {
			u.Phones = append(u.Phones, ingest.Phone{Phone: p})
		}
	}

	// Metadata as the Clerk guide lists it, without the TOTP secret, which
	// goes to its own table and becomes a WorkOS auth factor.
	meta, problems := ingest.FitMetadata([]ingest.MetadataEntry{
		{Key: "clerk_user_id", Value: id},
		{Key: "username", Value: u.Username},
		{Key: "primary_phone_number", Value: primaryPhone},
		{Key: "verified_phone_numbers", Value: strings.Join(verifiedPhones, ",")},
		{Key: "unverified_phone_numbers", Value: strings.Join(unverifiedPhones, ",")},
		{Key: "verified_email_addresses", Value: strings.Join(verifiedEmails, ",")},
		{Key: "unverified_email_addresses", Value: strings.Join(unverifiedEmails, ",")},
	})
	for _, p := range problems {
		if err := warn(p.Code, p.Message); err != nil {
			return err
		}
	}
	u.Metadata = meta

	if s := get(colTOTPSecret); s != "" {
		u.TOTPSecret = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	}

	digest, hasherName := get(colPasswordDigest), get(colPasswordHasher)
	switch {
	case digest == "" && hasherName == "":
	case digest == "":
		if err := warn("password_hasher_without_digest", fmt.Sprintf("password_hasher is %s but password_digest is empty; no password is staged", ingest.Excerpt(hasherName))); err != nil {
			return err
		}
	case hasherName == "":
		u.SourceDigest = digest
		if err := warn("password_digest_without_hasher", "password_digest is set but password_hasher is empty; no password is staged and the digest is kept in users.source_password_digest"); err != nil {
			return err
		}
	default:
		u.SourceHasher = hasherName
		hash, typ, ok, reason := mapHash(hasherName, digest)
		if ok {
			u.PasswordHash, u.PasswordHashType = hash, typ
		} else {
			u.SourceDigest = digest
			if err := warn("unsupported_password_hasher", reason+"; the user will have to reset the password (the digest is kept in users.source_password_digest)"); err != nil {
				return err
			}
		}
	}
	return run.AddUser(ctx, file, u)
}

func containsFold(list []string, lower string) bool {
	for _, s := range list {
		if strings.ToLower(s) == lower {
			return true
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }
