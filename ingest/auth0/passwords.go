package auth0

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mig-tools/mig/ingest"
	"github.com/mig-tools/mig/passhash"
)

// PasswordRecord is one line of the password export Auth0 support sends:
//
//	{"_id":{"$oid":"60425d..."},"email":"a@example.com","passwordHash":"$2b$10$...",
//	 "password_set_date":{"$date":"2021-03-05T16:34:49.502Z"},"connection":"Username-Password-Authentication"}
//
// (some exports spell the key "_ID"). The caller joins it to a staged user
// by UserID; Email is there for a join by email the user asks for.
type PasswordRecord struct {
	Line            int
	OID             string // the $oid
	UserID          string // the user_id it belongs to: "auth0|" + OID
	Email           string
	Connection      string
	PasswordSetDate string
	Hash            string
	// HashType is "bcrypt" for a well-formed bcrypt hash, the only kind
	// Auth0 database connections store (another type WorkOS takes for a
	// well-formed hash of it), and "" for anything else, which Unsupported
	// explains. An unknown hash is never labelled bcrypt.
	HashType    string
	Unsupported string
}

// ReadPasswords streams the password export at path, opened through in
// (standard input works), one line at a time, calling fn for each record.
// A line that is not a JSON object or has no $oid stops it with an error
// naming the file, the line and the field; so does a line over the
// ingest's limits (--max-field-bytes). Records with an unsupported or
// missing hash are passed on with Unsupported set, never dropped.
func ReadPasswords(ctx context.Context, in ingest.Inputs, path string, fn func(PasswordRecord) error) error {
	f, nr, err := in.OpenNDJSON(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, num, err := nr.Next()
		if errors.Is(err, io.EOF) && n == 0 {
			// An export with no records merges nothing and says nothing:
			// it is a cut download or the wrong file.
			return &ingest.LineError{File: path, Line: num, Msg: "the file has no password records: an empty export is refused (was it cut short?)"}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		rec, err := parsePasswordLine(line)
		if err != nil {
			var le *ingest.LineError
			if errors.As(err, &le) {
				le.File, le.Line = path, num
				return le
			}
			return &ingest.LineError{File: path, Line: num, Msg: err.Error()}
		}
		rec.Line = num
		if err := fn(rec); err != nil {
			return err
		}
	}
}

func parsePasswordLine(line []byte) (PasswordRecord, error) {
	var v struct {
		ID              json.RawMessage `json:"_id"`
		IDUpper         json.RawMessage `json:"_ID"`
		Email           string          `json:"email"`
		PasswordHash    *string         `json:"passwordHash"`
		Connection      string          `json:"connection"`
		PasswordSetDate json.RawMessage `json:"password_set_date"`
	}
	if !bytes.HasPrefix(line, []byte("{")) {
		return PasswordRecord{}, errors.New("not a JSON object: each line of a password export is one")
	}
	if err := json.Unmarshal(line, &v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return PasswordRecord{}, &ingest.LineError{Field: te.Field, Msg: fmt.Sprintf("is a JSON %s, expected a %s", te.Value, te.Type)}
		}
		return PasswordRecord{}, fmt.Errorf("not valid JSON: %v", err)
	}
	idField, id := "_id", v.ID
	if id == nil {
		idField, id = "_ID", v.IDUpper
	}
	if id == nil {
		return PasswordRecord{}, &ingest.LineError{Field: "_id", Msg: `missing: each record names its user as "_id":{"$oid":"..."}`}
	}
	var oid struct {
		OID string `json:"$oid"`
	}
	if json.Unmarshal(id, &oid) != nil || strings.TrimSpace(oid.OID) == "" {
		return PasswordRecord{}, &ingest.LineError{Field: idField, Msg: fmt.Sprintf(`is %s; expected {"$oid":"..."}`, id)}
	}
	rec := PasswordRecord{OID: strings.TrimSpace(oid.OID), Email: strings.TrimSpace(v.Email), Connection: v.Connection}
	rec.UserID = rec.OID
	if !strings.Contains(rec.OID, "|") {
		// A database user's user_id is "auth0|" and the $oid. (One public
		// sample has the prefix in the $oid already.)
		rec.UserID = "auth0|" + rec.OID
	}
	var date struct {
		Date string `json:"$date"`
	}
	if json.Unmarshal(v.PasswordSetDate, &date) == nil && date.Date != "" {
		rec.PasswordSetDate = date.Date
	} else {
		rec.PasswordSetDate = jsonText(v.PasswordSetDate)
	}
	if v.PasswordHash != nil {
		rec.Hash = *v.PasswordHash
	}
	rec.HashType, rec.Unsupported = detectHash(rec.Hash)
	return rec, nil
}

// detectHash names a hash's type strictly, with passhash.Detect: bcrypt
// only for $2a$, $2b$ and $2y$ (the only format Auth0 database connections
// store), any other format WorkOS takes by its own marker, and a hash of
// none of them is unsupported, never labelled bcrypt. A hash of a known
// type but not of its shape is unsupported too, saying why (passhash's
// messages quote no hash material).
func detectHash(h string) (typ, unsupported string) {
	if h == "" {
		return "", "the record has no passwordHash"
	}
	typ, ok := passhash.Detect(h)
	if !ok {
		return "", "unrecognised hash format: not bcrypt ($2a$, $2b$ or $2y$) nor another format WorkOS takes"
	}
	if err := passhash.Validate(typ, h); err != nil {
		return "", fmt.Sprintf("not a well-formed %s hash: %v", typ, err)
	}
	return typ, ""
}
