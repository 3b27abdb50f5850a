package auth0

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mig-tools/mig/ingest"
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
	// Auth0 database connections store, and "" for anything else, which
	// Unsupported explains. An unknown hash is never labelled bcrypt.
	HashType    string
	Unsupported string
}

// maxPasswordLine bounds a line of a password export: real lines are a few
// hundred bytes, so a longer one is not a password record.
const maxPasswordLine = 64 << 10

// ReadPasswords streams the password export at path, one line at a time,
// calling fn for each record. A line that is not a JSON object, has no
// $oid, or is over the length bound stops it with an error naming the
// file, the line and the field. Records with an unsupported or missing
// hash are passed on with Unsupported set, never dropped.
func ReadPasswords(ctx context.Context, path string, fn func(PasswordRecord) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return readPasswords(ctx, path, f, fn)
}

func readPasswords(ctx context.Context, path string, r io.Reader, fn func(PasswordRecord) error) error {
	lr := newLineReader(r, maxPasswordLine)
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, num, err := lr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &ingest.LineError{File: path, Line: num, Msg: err.Error()}
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

// detectHash tells a bcrypt hash, the only format Auth0 database
// connections store, from anything else, strictly: only a well-formed
// $2a$, $2b$ or $2y$ string is bcrypt.
func detectHash(h string) (typ, unsupported string) {
	switch {
	case h == "":
		return "", "the record has no passwordHash"
	case wellFormedBcrypt(h):
		return "bcrypt", ""
	case strings.HasPrefix(h, "$2"):
		return "", "not a well-formed bcrypt hash ($2a$, $2b$ or $2y$, a cost from 04 to 31, then 53 characters of salt and hash)"
	case strings.HasPrefix(h, "$"):
		scheme, _, _ := strings.Cut(h[1:], "$")
		return "", fmt.Sprintf("hash format %q is not bcrypt, the only format read from Auth0 password exports", "$"+scheme+"$")
	}
	return "", "unrecognised hash format (not a $-prefixed hash string); only bcrypt is read from Auth0 password exports"
}

// wellFormedBcrypt checks a bcrypt hash's shape: "$2a$", "$2b$" or "$2y$",
// a two-digit cost from 04 to 31, then 53 characters of bcrypt's base64.
//
// TODO(kit): the source kit's password-hash package will hold this once
// for every source, mig check and verify-password; call it from there.
func wellFormedBcrypt(h string) bool {
	if len(h) != 60 || h[0] != '$' || h[1] != '2' || h[3] != '$' || h[6] != '$' {
		return false
	}
	if v := h[2]; v != 'a' && v != 'b' && v != 'y' {
		return false
	}
	if h[4] < '0' || h[4] > '9' || h[5] < '0' || h[5] > '9' {
		return false
	}
	if cost := int(h[4]-'0')*10 + int(h[5]-'0'); cost < 4 || cost > 31 {
		return false
	}
	for i := 7; i < 60; i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '/') {
			return false
		}
	}
	return true
}
