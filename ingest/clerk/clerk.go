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
	"time"
	"unicode/utf8"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/staging"
)

// Options are the inputs of one Clerk ingest.
type Options struct {
	UsersFile   string
	OrgMapping  string // optional: clerk_user_id + org_id / org_external_id / org_name
	RoleMapping string // optional: clerk_user_id, role_slug
	Tenant      string // tells two Clerk instances apart in one database
	TOTPIssuer  string // issuer recorded with TOTP secrets
	Log         *slog.Logger
	// Settings bound what one CSV record may hold and whether a re-ingest
	// may mark most users missing.
	Settings ingest.Settings
}

// Columns of the Clerk dashboard export.
const (
	colID                 = "id"
	colFirstName          = "first_name"
	colLastName           = "last_name"
	colUsername           = "username"
	colPrimaryEmail       = "primary_email_address"
	colPrimaryPhone       = "primary_phone_number"
	colVerifiedEmails     = "verified_email_addresses"
	colUnverifiedEmails   = "unverified_email_addresses"
	colVerifiedPhones     = "verified_phone_numbers"
	colUnverifiedPhones   = "unverified_phone_numbers"
	colTOTPSecret         = "totp_secret"
	colPasswordDigest     = "password_digest"
	colPasswordHasher     = "password_hasher"
	maxMetadataValueChars = 600
)

var knownColumns = map[string]bool{
	colID: true, colFirstName: true, colLastName: true, colUsername: true, colPrimaryEmail: true,
	colPrimaryPhone: true, colVerifiedEmails: true, colUnverifiedEmails: true, colVerifiedPhones: true,
	colUnverifiedPhones: true, colTOTPSecret: true, colPasswordDigest: true, colPasswordHasher: true,
}

// secretColumns are masked in the raw JSON copy: the digest and TOTP secret
// live in their own columns and nowhere else.
var secretColumns = map[string]bool{colPasswordDigest: true, colTOTPSecret: true}

// Ingest stages the export. It is one transaction: any malformed file
// returns a FILE:LINE error and leaves the database as it was. Ingesting the
// same files again returns ingest.ErrUnchanged.
func Ingest(ctx context.Context, db *staging.DB, o Options) (ingest.Counts, error) {
	files := []*ingest.File{{Role: "users", Path: o.UsersFile}}
	if o.OrgMapping != "" {
		files = append(files, &ingest.File{Role: "org_mapping", Path: o.OrgMapping})
	}
	if o.RoleMapping != "" {
		files = append(files, &ingest.File{Role: "role_mapping", Path: o.RoleMapping})
	}
	src := ingest.Source{Provider: "clerk", Tenant: o.Tenant}
	set := o.Settings
	if set.Log == nil {
		set.Log = o.Log
	}
	run, err := ingest.BeginWith(ctx, db, src, files, map[string]any{
		"org_mapping": o.OrgMapping != "", "role_mapping": o.RoleMapping != "", "totp_issuer": o.TOTPIssuer,
	}, set)
	if err != nil {
		return ingest.Counts{}, err
	}
	defer run.Rollback()
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	run.Log = log
	start := time.Now()
	phase := func(name string) {
		log.Debug("ingest phase done", "phase", name, "elapsed", time.Since(start).Round(time.Millisecond))
	}
	if err := stageUsers(ctx, run, o); err != nil {
		return ingest.Counts{}, err
	}
	if err := run.UsersDone(ctx); err != nil {
		return ingest.Counts{}, err
	}
	phase("users")
	if o.OrgMapping != "" {
		if err := stageOrgMapping(ctx, run, o.OrgMapping); err != nil {
			return ingest.Counts{}, err
		}
		phase("org mapping")
	}
	if o.RoleMapping != "" {
		if err := stageRoleMapping(ctx, run, o.RoleMapping); err != nil {
			return ingest.Counts{}, err
		}
		phase("role mapping")
	}
	c, err := run.Commit(ctx)
	phase("commit")
	return c, err
}

func stageUsers(ctx context.Context, run *ingest.Run, o Options) error {
	f, r, err := run.OpenCSV(o.UsersFile)
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
			if err := run.WarnOnce(ctx, "col:"+h, ingest.Warning{Code: "unknown_column", File: o.UsersFile, Row: 1,
				Message: fmt.Sprintf("column %s is not part of Clerk's export; it is kept in users.raw but not sent to WorkOS", ingest.Excerpt(h))}); err != nil {
				return err
			}
		}
	}
	// Parsing, mapping and JSON encoding run on their own goroutine, a batch
	// at a time, while this one writes: on two cores the database writes are
	// the bottleneck, and this keeps them busy.
	batches := make(chan *batch, 4)
	pctx, stopParsing := context.WithCancel(ctx)
	defer stopParsing()
	var parseErr error
	go func() {
		defer close(batches)
		b := &batch{}
		for n := 0; ; n++ {
			if n%4096 == 0 && pctx.Err() != nil {
				parseErr = pctx.Err()
				return
			}
			rec, line, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				parseErr = err
				return
			}
			b.rows++
			if err := stageUser(ctx, b, o, r, header, rec, line); err != nil {
				parseErr = err
				return
			}
			if len(b.ops) >= 512 {
				select {
				case batches <- b:
				case <-pctx.Done():
					parseErr = pctx.Err()
					return
				}
				b = &batch{}
			}
		}
		batches <- b
	}()
	rows := 0
	var writeErr error
	for b := range batches {
		if writeErr != nil {
			continue // drain until the parser sees it is stopped
		}
		rows += b.rows
		for _, op := range b.ops {
			if writeErr = op(ctx, run); writeErr != nil {
				stopParsing()
				break
			}
		}
	}
	if writeErr != nil {
		return writeErr
	}
	if parseErr != nil {
		return parseErr
	}
	if rows == 0 {
		return ingest.NoUserRows(o.UsersFile, headerLine)
	}
	run.Counts.Rows = rows
	run.SetRows("users", rows)
	return warnShortRows(ctx, run, r, o.UsersFile)
}

// sink receives what stageUser makes of a row: a *ingest.Run writes it, a
// *batch records it to be written on another goroutine.
type sink interface {
	Warn(ctx context.Context, w ingest.Warning) error
	Skip(ctx context.Context, file string, row int, sourceID, email, reason string, raw any) error
	AddUser(ctx context.Context, file string, u *ingest.User) error
}

// batch records the writes for a run of rows.
type batch struct {
	rows int
	ops  []func(context.Context, *ingest.Run) error
}

func (b *batch) Warn(_ context.Context, w ingest.Warning) error {
	b.ops = append(b.ops, func(ctx context.Context, r *ingest.Run) error { return r.Warn(ctx, w) })
	return nil
}

func (b *batch) Skip(_ context.Context, file string, row int, sourceID, email, reason string, raw any) error {
	b.ops = append(b.ops, func(ctx context.Context, r *ingest.Run) error {
		return r.Skip(ctx, file, row, sourceID, email, reason, raw)
	})
	return nil
}

func (b *batch) AddUser(_ context.Context, file string, u *ingest.User) error {
	if err := u.Encode(); err != nil {
		return err
	}
	b.ops = append(b.ops, func(ctx context.Context, r *ingest.Run) error { return r.AddUser(ctx, file, u) })
	return nil
}

// warnShortRows says once per file that rows with missing trailing cells
// were read as if those cells were empty.
func warnShortRows(ctx context.Context, run *ingest.Run, r *ingest.CSVReader, file string) error {
	if r.ShortRows == 0 {
		return nil
	}
	return run.Warn(ctx, ingest.Warning{Code: "short_rows", File: file, Row: r.FirstShortRow,
		Message: fmt.Sprintf("%d rows have fewer fields than the header (the first on line %d); the missing trailing fields were read as empty", r.ShortRows, r.FirstShortRow)})
}

func stageUser(ctx context.Context, run sink, o Options, r *ingest.CSVReader, header, rec []string, line int) error {
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
	meta := map[string]string{"clerk_user_id": id}
	put := func(k, v string) error {
		if v == "" {
			return nil
		}
		if utf8.RuneCountInString(v) > maxMetadataValueChars {
			return warn("metadata_value_too_long", fmt.Sprintf("metadata %s is %d characters, over WorkOS's %d; it is left out of metadata (the value stays in staging)",
				k, utf8.RuneCountInString(v), maxMetadataValueChars))
		}
		meta[k] = v
		return nil
	}
	for _, kv := range [][2]string{
		{"username", u.Username},
		{"primary_phone_number", primaryPhone},
		{"verified_phone_numbers", strings.Join(verifiedPhones, ",")},
		{"unverified_phone_numbers", strings.Join(unverifiedPhones, ",")},
		{"verified_email_addresses", strings.Join(verifiedEmails, ",")},
		{"unverified_email_addresses", strings.Join(unverifiedEmails, ",")},
	} {
		if err := put(kv[0], kv[1]); err != nil {
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

func stageOrgMapping(ctx context.Context, run *ingest.Run, path string) error {
	f, r, err := run.OpenCSV(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := r.Header("clerk_user_id"); err != nil {
		return err
	}
	if !r.Has("org_id") && !r.Has("org_external_id") && !r.Has("org_name") {
		return &ingest.LineError{File: path, Line: r.Line(), Msg: "header needs at least one of org_id, org_external_id, org_name"}
	}
	if err := run.ClearOrgMapping(ctx); err != nil {
		return err
	}
	rows, err := r.Each(ctx, func(get func(string) string, line int) error {
		uid := get("clerk_user_id")
		if uid == "" {
			return &ingest.LineError{File: path, Line: line, Field: "clerk_user_id", Msg: "empty: each line maps one Clerk user"}
		}
		return run.AddOrgMappingRow(ctx, path, ingest.OrgMappingRow{Row: line, SourceUserID: uid,
			OrgID: get("org_id"), OrgExternalID: get("org_external_id"), OrgName: get("org_name")})
	})
	if err != nil {
		return err
	}
	run.SetRows("org_mapping", rows)
	return run.ApplyOrgMapping(ctx)
}

func stageRoleMapping(ctx context.Context, run *ingest.Run, path string) error {
	f, r, err := run.OpenCSV(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := r.Header("clerk_user_id", "role_slug"); err != nil {
		return err
	}
	if err := run.ClearRoleMapping(ctx); err != nil {
		return err
	}
	rows, err := r.Each(ctx, func(get func(string) string, line int) error {
		uid, slug := get("clerk_user_id"), get("role_slug")
		if uid == "" {
			return &ingest.LineError{File: path, Line: line, Field: "clerk_user_id", Msg: "empty: each line gives one Clerk user a role"}
		}
		if slug == "" {
			return &ingest.LineError{File: path, Line: line, Field: "role_slug", Msg: "empty: each line gives one Clerk user a role"}
		}
		return run.AddRoleMappingRow(ctx, path, ingest.RoleMappingRow{Row: line, SourceUserID: uid, RoleSlug: slug,
			OrgID: get("org_id"), OrgExternalID: get("org_external_id")})
	})
	if err != nil {
		return err
	}
	run.SetRows("role_mapping", rows)
	return run.ApplyRoleMapping(ctx)
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
