package workosapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/workos/workos-go/v4/pkg/workos_errors"
)

// APIError is a WorkOS answer other than 2xx, with everything the importer
// records about it: the status, WorkOS's code, the sub-codes of the errors
// array (email_not_available lives only there), the request id to quote
// to WorkOS support, and the message.
type APIError struct {
	Status    int
	Code      string
	Subcodes  []string
	RequestID string
	Message   string
	Raw       string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "WorkOS %d", e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if len(e.Subcodes) > 0 {
		b.WriteString(" (" + strings.Join(e.Subcodes, ", ") + ")")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// Has reports whether code is the error's code or one of its sub-codes.
func (e *APIError) Has(code string) bool {
	if e.Code == code {
		return true
	}
	for _, s := range e.Subcodes {
		if s == code {
			return true
		}
	}
	return false
}

// Retryable reports whether the same request might succeed later: a 429 or
// a 5xx that outlasted the Transport's retries.
func (e *APIError) Retryable() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// envelope is the WorkOS error body: a code and message, and for
// validation and user-creation errors an array of {code, field, message}.
type envelope struct {
	Code             string `json:"code"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Message          string `json:"message"`
	Errors           []struct {
		Code    string `json:"code"`
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func parseBody(status int, requestID, raw string) *APIError {
	e := &APIError{Status: status, RequestID: requestID, Raw: raw}
	var env envelope
	if json.Unmarshal([]byte(raw), &env) == nil {
		e.Code = env.Code
		if e.Code == "" {
			e.Code = env.Error
		}
		e.Message = env.Message
		if e.Message == "" {
			e.Message = env.ErrorDescription
		}
		var msgs []string
		for _, fe := range env.Errors {
			if fe.Code != "" {
				e.Subcodes = append(e.Subcodes, fe.Code)
			}
			if fe.Message != "" {
				m := fe.Message
				if fe.Field != "" && !strings.Contains(m, fe.Field) {
					m = fe.Field + ": " + m
				}
				msgs = append(msgs, m)
			}
		}
		if len(msgs) > 0 {
			e.Message = strings.TrimSuffix(e.Message, ".") + ": " + strings.Join(msgs, "; ")
		}
	}
	if e.Message == "" {
		e.Message = strings.TrimSpace(raw)
		if e.Message == "" {
			e.Message = http.StatusText(status)
		}
	}
	return e
}

// readError turns a non-2xx response into an APIError.
func readError(resp *http.Response) *APIError {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return parseBody(resp.StatusCode, resp.Header.Get("X-Request-ID"), string(raw))
}

// AsAPIError finds the WorkOS answer inside err, whether it came from the
// typed client (*APIError) or the SDK (workos_errors.HTTPError, whose
// RawBody still holds the sub-codes the SDK does not parse).
func AsAPIError(err error) (*APIError, bool) {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae, true
	}
	var he workos_errors.HTTPError
	if errors.As(err, &he) {
		e := parseBody(he.Code, he.RequestID, he.RawBody)
		if e.Code == "" {
			e.Code = he.ErrorCode
		}
		return e, true
	}
	return nil, false
}
