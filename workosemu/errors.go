package workosemu

import (
	"fmt"
	"net/http"
)

// reply is what a handler returns: a status and a value to encode as JSON.
// A nil body means an empty body, as WorkOS sends for deletes.
type reply struct {
	status int
	body   any
	header http.Header
}

// apiError is the flat WorkOS error envelope. Code is omitted where the
// spec documents only a message (most 404s and 422s outside user creation).
type apiError struct {
	Code    string       `json:"code,omitempty"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
}

// fieldError is one entry of the errors array of user_creation_error and
// invalid_request_parameters envelopes.
type fieldError struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
	Field   string `json:"field,omitempty"`
}

// creationError keeps errors present even when empty: the spec marks it
// required for user_creation_error.
type creationError struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors"`
}

func errMessage(status int, format string, args ...any) reply {
	return reply{status: status, body: apiError{Message: fmt.Sprintf(format, args...)}}
}

func errCode(status int, code, format string, args ...any) reply {
	return reply{status: status, body: apiError{Code: code, Message: fmt.Sprintf(format, args...)}}
}

// errInvalidParams is the 422 WorkOS returns when a body does not match the
// request schema (wrong type, missing field, value too long).
func errInvalidParams(field, code, msg string) reply {
	return reply{status: http.StatusUnprocessableEntity, body: apiError{
		Code:    "invalid_request_parameters",
		Message: "Validation failed.",
		Errors:  []fieldError{{Field: field, Code: code, Message: msg}},
	}}
}

func errUserCreation(code, msg string) reply {
	return reply{status: http.StatusBadRequest, body: creationError{
		Code:    "user_creation_error",
		Message: "Could not create user.",
		Errors:  []fieldError{{Code: code, Message: msg}},
	}}
}

func errNotFound(kind, id string) reply {
	return errMessage(http.StatusNotFound, "%s not found: '%s'.", kind, id)
}

// errRouteNotFound mirrors the NestJS 404 production sends for a path it
// does not serve.
func errRouteNotFound(method, path string) reply {
	return errMessage(http.StatusNotFound, "Cannot %s %s", method, path)
}
