package firebase

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/mig-tools/mig/ingest"
)

// The headerless CSV layout of auth:export, by position (firebase-tools'
// accountExporter): the user's fields, then four columns (id, email,
// display name, photo URL) for each of four providers, then the times, the
// phone number, the disabled flag and the custom claims. Each line ends with
// a comma, which makes one empty field more. Older exports stop after the
// phone number.
var csvColumns = []string{
	"localId", "email", "emailVerified", "passwordHash", "salt", "displayName", "photoUrl",
	"google.com rawId", "google.com email", "google.com displayName", "google.com photoUrl",
	"facebook.com rawId", "facebook.com email", "facebook.com displayName", "facebook.com photoUrl",
	"twitter.com rawId", "twitter.com email", "twitter.com displayName", "twitter.com photoUrl",
	"github.com rawId", "github.com email", "github.com displayName", "github.com photoUrl",
	"createdAt", "lastSignedInAt", "phoneNumber", "disabled", "customAttributes",
}

const (
	csvProvidersAt = 7  // first provider column
	csvMinFields   = 26 // through phoneNumber: the older layout
)

var csvProviders = []string{"google.com", "facebook.com", "twitter.com", "github.com"}

// decodeCSV streams the headerless CSV layout with the kit's CSV reader,
// its columns named by csvColumns. Quotes are read strictly: Firebase
// quotes a display name only when it holds a comma, and never doubles a
// quote inside it, so a display name with a double quote in it is refused
// with its line (the JSON export has no such ambiguity). row is the line.
func decodeCSV(ctx context.Context, in ingest.Inputs, path string, m *mapper, sink ingest.Sink) (int, error) {
	f, r, err := in.OpenCSV(path)
	if errors.Is(err, ingest.ErrJSON) {
		return 0, fmt.Errorf("%w: name the file .json or pass --format json", err)
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r.UseHeader(csvColumns...)
	n := 0
	var rec Record
	for {
		fields, line, err := r.ReadFields()
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
		rec = Record{}
		if err := csvRecord(fields, &rec); err != nil {
			err.File, err.Line = path, line
			return n, err
		}
		if err := m.user(ctx, sink, &rec, line); err != nil {
			return n, err
		}
	}
}

// csvRecord reads one line's fields into rec.
func csvRecord(f []string, rec *Record) *ingest.LineError {
	if len(f) < csvMinFields || len(f) > len(csvColumns)+1 || (len(f) == len(csvColumns)+1 && f[len(csvColumns)] != "") {
		return &ingest.LineError{Msg: fmt.Sprintf("%d fields: auth:export's CSV layout has %d (or %d in older exports), and a display name with a comma must be quoted", len(f), len(csvColumns)+1, csvMinFields+1)}
	}
	get := func(i int) string {
		if i < len(f) {
			return f[i]
		}
		return ""
	}
	boolean := func(i int) (bool, *ingest.LineError) {
		switch get(i) {
		case "true":
			return true, nil
		case "false", "":
			return false, nil
		}
		return false, &ingest.LineError{Field: csvColumns[i], Msg: fmt.Sprintf("%q is neither true nor false", get(i))}
	}
	var err *ingest.LineError
	rec.LocalID, rec.Email = get(0), get(1)
	if rec.EmailVerified, err = boolean(2); err != nil {
		return err
	}
	rec.PasswordHash, rec.Salt, rec.DisplayName, rec.PhotoURL = get(3), get(4), get(5), get(6)
	for i, p := range csvProviders {
		at := csvProvidersAt + 4*i
		if id := get(at); id != "" {
			rec.ProviderUserInfo = append(rec.ProviderUserInfo, ProviderInfo{ProviderID: p, RawID: id, Email: get(at + 1), DisplayName: get(at + 2), PhotoURL: get(at + 3)})
		}
	}
	for _, t := range []struct {
		i   int
		dst *json.Number
	}{{23, &rec.CreatedAt}, {24, &rec.LastSignedInAt}} {
		i, dst := t.i, t.dst
		if v := get(i); v != "" {
			if _, e := json.Number(v).Int64(); e != nil {
				return &ingest.LineError{Field: csvColumns[i], Msg: fmt.Sprintf("%q is not a time in milliseconds", v)}
			}
			*dst = json.Number(v)
		}
	}
	rec.PhoneNumber = get(25)
	if rec.Disabled, err = boolean(26); err != nil {
		return err
	}
	rec.CustomAttributes = get(27)
	return nil
}
