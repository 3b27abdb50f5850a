// Package totp reads files of TOTP secrets exported from any source, for
// `mig ingest totp`: a CSV (email,totp_secret[,totp_issuer,totp_user], or
// with user_id) or NDJSON (one object a line with totp_secret or secret, or
// Auth0's mfa_factors:[{"type":"totp","secret":...}]). It reads and
// nothing more: the source kit's supplement (Ingest) matches each record
// to a staged user (by source id, else email) and reports the records it
// cannot match.
//
// Secrets are passed on as written, trimmed. Whether one is valid Base32
// is decided once, by the totp_secret_invalid check on the staged secrets
// (with its --fix for case, spaces and hyphens), not restated here; a
// record whose secret is invalid is never dropped on the way.
package totp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/staging"
)

// Record is one TOTP secret and whom it belongs to.
type Record struct {
	Line         int
	SourceUserID string // the source's user id (user_id), when the file has it
	Email        string
	Secret       string
	Issuer       string // totp_issuer, when the file has it
	User         string // totp_user: the account name authenticator apps show
	// Problem says why the record cannot become a factor (no secret, no
	// user to match); such records are passed on too, to be reported.
	Problem string
}

// Read streams the file at path, opened through in (standard input
// works), calling fn for each record. The format comes from the extension
// (.csv; .ndjson, .jsonl, .json), else from the first character. A
// malformed file stops it with FILE:LINE and the field; lines are bounded
// by the ingest's limits (--max-field-bytes).
func Read(ctx context.Context, in ingest.Inputs, path string, fn func(Record) error) error {
	ndjson, err := isNDJSON(in, path)
	if err != nil {
		return err
	}
	if ndjson {
		return readNDJSON(ctx, in, path, fn)
	}
	return readCSV(ctx, in, path, fn)
}

// isNDJSON tells the format by the extension, else by the first character
// that is not white space ("{" for NDJSON).
func isNDJSON(in ingest.Inputs, path string) (bool, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return false, nil
	case ".ndjson", ".jsonl", ".json":
		return true, nil
	}
	f, err := in.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	for {
		b, err := br.ReadByte()
		if err != nil {
			return false, nil // empty: the CSV reader says so
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b == '{', nil
	}
}

func readCSV(ctx context.Context, in ingest.Inputs, path string, fn func(Record) error) error {
	f, c, err := in.OpenCSV(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := c.Header("totp_secret"); err != nil {
		return err
	}
	if !c.Has("email") && !c.Has("user_id") {
		return &ingest.LineError{File: path, Line: c.Line(), Msg: "header needs an email or a user_id column, to match each secret to a user"}
	}
	_, err = c.Each(ctx, func(get func(string) string, line int) error {
		return fn(check(Record{Line: line, SourceUserID: get("user_id"), Email: get("email"), Secret: get("totp_secret"),
			Issuer: get("totp_issuer"), User: get("totp_user")}))
	})
	return err
}

// check fills in what keeps a record from becoming a factor.
func check(r Record) Record {
	switch {
	case r.Secret == "":
		r.Problem = "no TOTP secret"
	case r.SourceUserID == "" && r.Email == "":
		r.Problem = "no user_id or email to match the secret to a user"
	}
	return r
}

// line is one NDJSON object. mfa_factors is Auth0's shape for a user's
// enrolled factors.
type line struct {
	UserID     string `json:"user_id"`
	Email      string `json:"email"`
	TOTPSecret string `json:"totp_secret"`
	Secret     string `json:"secret"`
	Issuer     string `json:"totp_issuer"`
	User       string `json:"totp_user"`
	Factors    []struct {
		Type   string `json:"type"`
		Secret string `json:"secret"`
	} `json:"mfa_factors"`
}

func readNDJSON(ctx context.Context, in ingest.Inputs, path string, fn func(Record) error) error {
	f, nr, err := in.OpenNDJSON(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		b, line, err := nr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := record(path, line, b, fn); err != nil {
			return err
		}
	}
}

func record(path string, n int, b []byte, fn func(Record) error) error {
	var v line
	if b[0] != '{' {
		return &ingest.LineError{File: path, Line: n, Msg: "not a JSON object: each line holds one user's secret"}
	}
	if err := json.Unmarshal(b, &v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &ingest.LineError{File: path, Line: n, Field: te.Field, Msg: fmt.Sprintf("is a JSON %s, expected a %s", te.Value, te.Type)}
		}
		return &ingest.LineError{File: path, Line: n, Msg: "not valid JSON: " + err.Error()}
	}
	base := Record{Line: n, SourceUserID: strings.TrimSpace(v.UserID), Email: strings.TrimSpace(v.Email),
		Issuer: strings.TrimSpace(v.Issuer), User: strings.TrimSpace(v.User)}
	var secrets []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(secrets, s) {
			secrets = append(secrets, s)
		}
	}
	add(v.TOTPSecret)
	add(v.Secret)
	var other []string
	for _, f := range v.Factors {
		if strings.EqualFold(f.Type, "totp") {
			add(f.Secret)
		} else {
			other = append(other, f.Type)
		}
	}
	if len(secrets) == 0 {
		r := check(base)
		if len(other) > 0 {
			r.Problem = fmt.Sprintf("no TOTP secret (mfa_factors has only %s)", strings.Join(other, ", "))
		}
		return fn(r)
	}
	for _, s := range secrets {
		r := base
		r.Secret = s
		if err := fn(check(r)); err != nil {
			return err
		}
	}
	return nil
}

// Provider is the name of a TOTP merge in ingest_runs and warnings: the
// secrets are not a source's users, they belong to those of any source.
const Provider = "totp"

// Options are the inputs of `mig ingest totp`.
type Options struct {
	File string // CSV or NDJSON (ingest.Stdin reads standard input)
	// Issuer is the issuer of a secret whose record names none.
	Issuer string
	// Users narrows the users the secrets are matched to, to one source
	// (and tenant); empty, the users of every source.
	Users    ingest.Source
	Settings ingest.Settings
	Log      *slog.Logger
}

// Ingest merges the file's secrets into the staged users (the kit's
// supplement): each record joins the user its user_id names, else the
// user with its email; a record that joins nobody, or two users, a record
// without a secret, and a second secret for a user are warnings naming the
// line. Invalid secrets are staged and counted: mig check's
// totp_secret_invalid rule says what is wrong with them.
func Ingest(ctx context.Context, db *staging.DB, o Options) (ingest.SupplementCounts, error) {
	return ingest.Supplement(ctx, db, ingest.SupplementSpec{
		Name: Provider, Kind: ingest.TOTPSupplement, File: o.File, Users: o.Users, MatchEmail: true,
		TOTPIssuer: o.Issuer, Settings: o.Settings, Log: o.Log,
		Read: func(ctx context.Context, in ingest.Inputs, add func(ingest.SupplementRecord) error) error {
			return Read(ctx, in, o.File, func(r Record) error {
				return add(ingest.SupplementRecord{Row: r.Line, SourceID: r.SourceUserID, Email: r.Email,
					TOTPSecret: r.Secret, TOTPIssuer: r.Issuer, TOTPUser: r.User, Problem: r.Problem})
			})
		},
	})
}
