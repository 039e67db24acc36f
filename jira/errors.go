package jira

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/setbot/setbot"
)

// apiError is a failed Jira call. Error() is for logs; Unwrap yields the
// *setbot.Error a person may see.
type apiError struct {
	op        string
	status    int    // 0 for a transport failure
	err       error  // the transport or decoding error, if any
	detail    string // Jira's own error text
	retryable bool   // retries were spent; later may work
	unknown   bool   // Jira may have done it anyway
	wait      time.Duration
	public    *setbot.Error
}

func (e *apiError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", e.op)
	if e.status != 0 {
		fmt.Fprintf(&b, "status %d", e.status)
	} else {
		b.WriteString("no response")
	}
	if e.detail != "" {
		fmt.Fprintf(&b, ": %s", e.detail)
	}
	if e.err != nil {
		fmt.Fprintf(&b, ": %v", e.err)
	}
	if e.unknown {
		b.WriteString(" (outcome unknown)")
	}
	return b.String()
}

// Unwrap returns the person-safe error.
func (e *apiError) Unwrap() error { return e.person() }

func (e *apiError) person() *setbot.Error {
	if e.public != nil {
		return e.public
	}
	if e.status == 0 || e.status >= 500 || e.status == http.StatusTooManyRequests || e.retryable || e.unknown {
		msg := fmt.Sprintf("Jira is not answering right now, so I could not %s. I'll keep trying.", e.op)
		if e.status == http.StatusTooManyRequests {
			msg = fmt.Sprintf("Jira is rate-limiting setbot, so I could not %s yet. I'll try again shortly.", e.op)
		}
		return &setbot.Error{Code: setbot.EUnavailable, Message: msg}
	}
	return &setbot.Error{Code: setbot.EInternal, Message: setbot.InternalMessage}
}

// newAPIError turns a 4xx answer into an error whose message a person can
// act on.
func newAPIError(op string, status int, body []byte) *apiError {
	detail := jiraMessages(body)
	e := &apiError{op: op, status: status, detail: detail}
	because := ""
	if detail != "" {
		because = " Jira said: " + detail
	}
	var code, msg string
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		code, msg = setbot.EInvalid, fmt.Sprintf("Jira refused to %s.%s", op, because)
	case http.StatusUnauthorized:
		// The same sentence whatever the call, so the admins are told once.
		code, msg = setbot.EUnconfigured, "Jira did not accept setbot's credentials. An admin should check jira.email and jira.token (or SETBOT_JIRA_TOKEN)."
	case http.StatusForbidden:
		code, msg = setbot.EForbidden, fmt.Sprintf("setbot's Jira account is not allowed to %s. A Jira admin needs to grant it that permission.%s", op, because)
	case http.StatusNotFound:
		code, msg = setbot.ENotFound, fmt.Sprintf("Jira could not find what I needed to %s: check the ticket key, or whether setbot's Jira account can see it.", op)
	case http.StatusConflict:
		code, msg = setbot.EConflict, fmt.Sprintf("The ticket changed while I tried to %s; please try again.", op)
	case http.StatusGone:
		code, msg = setbot.EUnconfigured, fmt.Sprintf("Jira no longer offers the API setbot used to %s; setbot needs an update.", op)
	case http.StatusRequestEntityTooLarge:
		code, msg = setbot.ETooLarge, fmt.Sprintf("Jira said the upload was too large, so I could not %s.", op)
	default:
		code, msg = setbot.EInvalid, fmt.Sprintf("Jira refused to %s (HTTP %d).%s", op, status, because)
	}
	e.public = &setbot.Error{Code: code, Message: msg}
	return e
}

// maxDetail bounds the Jira text quoted in an error.
const maxDetail = 300

// jiraMessages extracts Jira's errorMessages and errors from a body.
func jiraMessages(body []byte) string {
	var ec struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
	}
	if json.Unmarshal(body, &ec) != nil {
		return ""
	}
	parts := append([]string(nil), ec.ErrorMessages...)
	keys := make([]string, 0, len(ec.Errors))
	for k := range ec.Errors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %s", k, ec.Errors[k]))
	}
	s, _ := setbot.Truncate(strings.Join(parts, "; "), maxDetail)
	return s
}

// snippet is the start of a non-JSON error body, for logs.
func snippet(body []byte) string {
	if m := jiraMessages(body); m != "" {
		return m
	}
	s, _ := setbot.Truncate(strings.TrimSpace(string(body)), maxDetail)
	return s
}

// isUnknown reports whether err leaves it open whether Jira did the thing.
func isUnknown(err error) bool {
	var e *apiError
	return errors.As(err, &e) && e.unknown
}

// statusOf returns the HTTP status of a failed call, 0 if none.
func statusOf(err error) int {
	var e *apiError
	if errors.As(err, &e) {
		return e.status
	}
	return 0
}

// public logs err once with its details and returns the *setbot.Error a
// person may see. Tracker methods return only what this returns.
func (c *Client) public(op string, err error) error {
	if err == nil {
		return nil
	}
	se := personOf(err)
	c.log.Error().Str("op", op).Str("code", se.Code).Err(err).Msg("jira call failed")
	if wait := waitOf(err); wait > 0 {
		return errors.Join(se, &setbot.Throttled{After: wait})
	}
	return se
}

// indexLag is how long Jira Cloud's search index may take to show a new
// issue: a create whose outcome is unknown is looked for again (by its
// fingerprint label) no sooner than this, and later with the outbox's
// backoff.
const indexLag = 15 * time.Second

// waitOf is how long the caller should wait before retrying err: Jira's
// Retry-After when it was too long to wait in place, at least indexLag
// after a create with an unknown outcome; 0 for no ask.
func waitOf(err error) time.Duration {
	var ae *apiError
	if !errors.As(err, &ae) {
		return 0
	}
	wait := ae.wait
	if ae.unknown {
		wait = max(wait, indexLag)
	}
	return wait
}

// personOf is the *setbot.Error a person may see for err (not nil).
func personOf(err error) *setbot.Error {
	var se *setbot.Error
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		se = ae.person()
	case errors.As(err, &se):
	default:
		se = &setbot.Error{Code: setbot.EInternal, Message: setbot.InternalMessage}
	}
	return se
}
