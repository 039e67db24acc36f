package jira

import (
	"net/http"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	p := retryPolicy{MaxAttempts: 5, Base: time.Second, Cap: 8 * time.Second}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name       string
		status     int
		transport  bool
		retryAfter string
		attempt    int
		jitter     float64
		want       reason
		wait       time.Duration
	}{
		{"ok", 201, false, "", 1, 0, reasonOK, 0},
		{"429 seconds", 429, false, "7", 1, 0.9, reasonRetryAfter, 7 * time.Second},
		{"503 date", 503, false, now.Add(3 * time.Second).Format(http.TimeFormat), 1, 0, reasonRetryAfter, 3 * time.Second},
		{"503 bare", 503, false, "", 2, 0, reasonThrottled, time.Second},
		{"429 garbage header", 429, false, "soon", 1, 1, reasonThrottled, time.Second},
		{"429 too long", 429, false, "3600", 1, 0, reasonRetryAfterLong, time.Hour},
		{"500 backoff first", 500, false, "", 1, 0, reasonServerError, 500 * time.Millisecond},
		{"502 backoff third full jitter", 502, false, "", 3, 0.999999999, reasonServerError, 4 * time.Second},
		{"504 capped", 504, false, "", 30, 0, reasonServerError, 4 * time.Second},
		{"timeout", 0, true, "", 2, 0.5, reasonTransport, 1500 * time.Millisecond},
		{"400", 400, false, "5", 1, 0, reasonClientError, 0},
		{"404", 404, false, "", 1, 0, reasonClientError, 0},
	}
	for _, tt := range tests {
		got, wait := classify(tt.status, tt.transport, tt.retryAfter, tt.attempt, now, tt.jitter, p)
		if got != tt.want || wait.Round(time.Millisecond) != tt.wait {
			t.Errorf("%s: classify = %v %v, want %v %v", tt.name, got, wait, tt.want, tt.wait)
		}
	}
}
