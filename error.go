package setbot

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. A code says what kind of failure it is; the message says, in a
// sentence a person can act on, what to do about it.
const (
	EInternal     = "internal"     // a bug or an unexpected failure
	EInvalid      = "invalid"      // the input is wrong
	ENotFound     = "not_found"    // the thing asked for does not exist
	EForbidden    = "forbidden"    // the person may not do this
	EUnavailable  = "unavailable"  // an outside system is down; retrying can help
	EConflict     = "conflict"     // the state changed under us
	ETooLarge     = "too_large"    // the input exceeds a named limit
	EUnconfigured = "unconfigured" // setbot's configuration lacks something
)

// Error is an error whose Message is safe to show a person. Anything that is
// not an *Error is shown as a generic sentence and logged instead.
type Error struct {
	Code    string
	Message string
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("setbot %s: %s", e.Code, e.Message) }

// Errorf returns an *Error with a formatted, person-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// InternalMessage is what a person sees when something failed that they
// cannot fix.
const InternalMessage = "Something went wrong on my side. I've logged it for the SET team; please try again in a minute."

// ErrorMessage returns the sentence to show a person for err. Raw errors are
// never shown: they are logged at the edge instead.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return InternalMessage
}

// Throttled is an outside system's request to be called again no sooner
// than After (HTTP 429, or 503, with Retry-After). It travels in an error's
// chain beside the person-safe *Error.
type Throttled struct{ After time.Duration }

func (t *Throttled) Error() string { return fmt.Sprintf("throttled: retry after %s", t.After) }

// RetryAfter is how long err asks to wait before a retry; 0 when it does
// not ask.
func RetryAfter(err error) time.Duration {
	var t *Throttled
	if errors.As(err, &t) {
		return t.After
	}
	return 0
}
