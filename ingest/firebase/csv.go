package firebase

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

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

// decodeCSV streams the headerless CSV layout. Firebase quotes a display
// name only when it holds a comma, without doubling quotes inside it, so
// stray quotes are read as they are (LazyQuotes).
func decodeCSV(ctx context.Context, r io.Reader, path string, m *mapper, sink ingest.Sink) (int, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	n := 0
	var rec Record
	for {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return n, &ingest.LineError{File: path, Line: pe.StartLine, Msg: pe.Err.Error()}
			}
			return n, fmt.Errorf("%s: %w", path, err)
		}
		n++
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		line, _ := cr.FieldPos(0)
		if n == 1 && len(fields) > 0 {
			fields[0] = string(bytes.TrimPrefix([]byte(fields[0]), []byte("\xef\xbb\xbf")))
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
	for i, v := range f {
		if !utf8.ValidString(v) {
			return &ingest.LineError{Field: csvColumns[min(i, len(csvColumns)-1)], Msg: "invalid UTF-8 (the file must be UTF-8)"}
		}
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
