package jira

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// Retry limits. Jira Cloud asks for waits in Retry-After on 429 and some
// 503s (developer.atlassian.com/cloud/jira/platform/rate-limiting); the other
// limits are setbot's own choice.
const (
	defaultMaxAttempts    = 5
	defaultBackoffBase    = 500 * time.Millisecond
	defaultBackoffCap     = 30 * time.Second
	defaultAttemptTimeout = 30 * time.Second
	// maxRetryAfter is the longest Retry-After setbot waits in place; a
	// longer one gives up with EUnavailable so the outbox retries later.
	maxRetryAfter = 2 * time.Minute
)

// retryPolicy says how often and how long to retry.
type retryPolicy struct {
	MaxAttempts int
	Base, Cap   time.Duration
}

// reason is why a response was or was not retried. Logged beside every retry.
type reason int

const (
	reasonOK             reason = iota // 2xx: done
	reasonRetryAfter                   // 429/503 with Retry-After: wait as told
	reasonThrottled                    // 429/503 without Retry-After: back off
	reasonServerError                  // other 5xx: back off (if the request may be repeated)
	reasonTransport                    // timeout or connection failure: back off (if it may be repeated)
	reasonClientError                  // 4xx: never retried
	reasonRetryAfterLong               // Retry-After beyond maxRetryAfter: give up for now
)

var reasonNames = [...]string{"ok", "retry_after", "throttled", "server_error", "transport", "client_error", "retry_after_too_long"}

// String names the reason for logs.
func (r reason) String() string { return reasonNames[r] }

// outcomeUnknown reports whether Jira may have acted on a request that ended
// this way. 429 and 503 are refusals before any work; a 500 or a timeout
// leaves the outcome unknown.
func (r reason) outcomeUnknown() bool { return r == reasonServerError || r == reasonTransport }

// classify decides what to do after an attempt: the reason, and the wait
// before the next attempt when there is one. jitter is in [0,1).
func classify(status int, transportErr bool, retryAfter string, attempt int, now time.Time, jitter float64, p retryPolicy) (reason, time.Duration) {
	switch {
	case transportErr:
		return reasonTransport, backoff(attempt, jitter, p)
	case status >= 200 && status < 300:
		return reasonOK, 0
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		if d, ok := parseRetryAfter(retryAfter, now); ok {
			if d > maxRetryAfter {
				return reasonRetryAfterLong, d
			}
			return reasonRetryAfter, d
		}
		return reasonThrottled, backoff(attempt, jitter, p)
	case status >= 500:
		return reasonServerError, backoff(attempt, jitter, p)
	}
	return reasonClientError, 0
}

// backoff is exponential from Base, capped at Cap, with "equal jitter": half
// the step fixed, half random, so that clients spread out yet still wait.
func backoff(attempt int, jitter float64, p retryPolicy) time.Duration {
	step := float64(p.Base) * math.Pow(2, float64(attempt-1))
	if step > float64(p.Cap) || math.IsInf(step, 0) {
		step = float64(p.Cap)
	}
	return time.Duration(step/2 + jitter*step/2)
}

// parseRetryAfter reads delay-seconds or an HTTP date (RFC 9110 §10.2.3).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}
