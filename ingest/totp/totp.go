// Package totp reads files of TOTP secrets exported from any source, for
// `mig ingest totp`: a CSV (email,totp_secret[,totp_issuer,totp_user], or
// with user_id) or NDJSON (one object a line with totp_secret or secret, or
// Auth0's mfa_factors:[{"type":"totp","secret":...}]). It reads and
// nothing more: the source kit matches each record to a staged user (by
// source id, else email) and reports the records it cannot match.
//
// Secrets are passed on as written, trimmed. Whether one is valid Base32
// is decided once, by the totp_secret_invalid check on the staged secrets
// (with its --fix for case, spaces and hyphens), not restated here; a
// record whose secret is invalid is never dropped on the way.
package totp

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
	"slices"
	"strings"

	"github.com/mig-tools/mig/ingest"
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

// maxLine bounds an NDJSON line: a record is a few hundred bytes.
const maxLine = 1 << 20

// Read streams the file at path, calling fn for each record. The format
// comes from the extension (.csv; .ndjson, .jsonl, .json), else from the
// first character. A malformed file stops it with FILE:LINE and the field.
func Read(ctx context.Context, path string, fn func(Record) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return readCSV(ctx, path, br, fn)
	case ".ndjson", ".jsonl", ".json":
		return readNDJSON(ctx, path, br, fn)
	}
	for {
		b, err := br.Peek(1)
		if err != nil {
			return readCSV(ctx, path, br, fn) // empty: the CSV reader says so
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			br.Discard(1)
			continue
		case '{':
			return readNDJSON(ctx, path, br, fn)
		}
		return readCSV(ctx, path, br, fn)
	}
}

func readCSV(ctx context.Context, path string, r io.Reader, fn func(Record) error) error {
	c, err := ingest.NewCSVReader(path, r)
	if err != nil {
		return err
	}
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

func readNDJSON(ctx context.Context, path string, r io.Reader, fn func(Record) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	for n := 1; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		buf = buf[:0]
		var err error
		for {
			var chunk []byte
			chunk, err = br.ReadSlice('\n')
			buf = append(buf, chunk...)
			if len(buf) > maxLine {
				return &ingest.LineError{File: path, Line: n, Msg: fmt.Sprintf("line longer than %d bytes: not a TOTP record", maxLine)}
			}
			if !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if b := bytes.TrimSpace(buf); len(b) > 0 {
			if err := record(path, n, b, fn); err != nil {
				return err
			}
		}
		if err != nil {
			return nil // io.EOF
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
