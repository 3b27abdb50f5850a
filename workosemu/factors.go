package workosemu

import (
	"encoding/base32"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// placeholderQR is a 1x1 PNG. The emulator does not render real QR codes;
// an importer only stores the secret it sent, and the spec only asks for a
// data URL.
const placeholderQR = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="

// validTOTPSecret accepts RFC 4648 Base32, with or without padding, as
// authenticator apps and WorkOS do; lower case is accepted and normalised.
func validTOTPSecret(s string) (string, bool) {
	norm := strings.ToUpper(strings.TrimRight(s, "="))
	if norm == "" {
		return "", false
	}
	if _, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(norm); err != nil {
		return "", false
	}
	return norm, true
}

type challengeWire struct {
	Object                 string `json:"object"`
	ID                     string `json:"id"`
	AuthenticationFactorID string `json:"authentication_factor_id"`
	CreatedAt              string `json:"created_at"`
	UpdatedAt              string `json:"updated_at"`
}

type enrollWire struct {
	Factor    factorWire    `json:"authentication_factor"`
	Challenge challengeWire `json:"authentication_challenge"`
}

// enrollFactor enrolls a TOTP factor. The spec documents only 422 for
// failures here, so an unknown user is a 422 rather than a 404.
func (s *Server) enrollFactor(q *request) reply {
	uid := q.params["id"]
	u, ok := s.st.users[uid]
	if !ok {
		return errMessage(http.StatusUnprocessableEntity, "User not found: '%s'.", uid)
	}
	f, bad := q.fields()
	if bad != nil {
		return *bad
	}
	typ, _, bad := f.str("type")
	if bad != nil {
		return *bad
	}
	if typ != "totp" {
		return errMessage(http.StatusUnprocessableEntity, "type must be 'totp'.")
	}
	issuer, ok, bad := f.str("totp_issuer")
	if bad != nil {
		return *bad
	}
	if !ok || issuer == "" {
		issuer = "WorkOS"
	}
	account, ok, bad := f.str("totp_user")
	if bad != nil {
		return *bad
	}
	if !ok || account == "" {
		account = u.Email
	}
	secret, ok, bad := f.str("totp_secret")
	if bad != nil {
		return *bad
	}
	if ok {
		norm, valid := validTOTPSecret(secret)
		if !valid {
			return errMessage(http.StatusUnprocessableEntity, "totp_secret must be a Base32-encoded string.")
		}
		secret = norm
	} else {
		raw := make([]byte, 20)
		for i := range raw {
			raw[i] = byte(s.pick(256))
		}
		secret = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
	}
	now := s.now()
	fa := &Factor{ID: s.st.newID("auth_factor_", now), UserID: uid, Type: "totp", Issuer: issuer, User: account,
		Secret: secret, CreatedAt: now, UpdatedAt: now}
	if err := s.st.putFactor(fa); err != nil {
		return s.internal(err)
	}
	w := fa.wire()
	w.TOTP.Secret = secret
	w.TOTP.QRCode = placeholderQR
	w.TOTP.URI = "otpauth://totp/" + url.PathEscape(issuer) + ":" + url.PathEscape(account) +
		"?secret=" + secret + "&issuer=" + url.QueryEscape(issuer)
	ch := challengeWire{Object: "authentication_challenge", ID: s.st.newID("auth_challenge_", now),
		AuthenticationFactorID: fa.ID, CreatedAt: ts(now), UpdatedAt: ts(now)}
	return reply{status: http.StatusCreated, body: enrollWire{Factor: w, Challenge: ch}}
}

func (s *Server) listFactors(q *request) reply {
	uid := q.params["id"]
	if _, ok := s.st.users[uid]; !ok {
		return errMessage(http.StatusUnprocessableEntity, "User not found: '%s'.", uid)
	}
	lq, bad := parseListQuery(q.r.URL.Query())
	if bad != nil {
		return *bad
	}
	var ids []string
	for id := range s.st.factorsByUser[uid] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	page, md := paginate(ids, lq)
	data := make([]any, 0, len(page))
	for _, id := range page {
		data = append(data, s.st.factors[id].wire())
	}
	return listReply(data, md)
}
