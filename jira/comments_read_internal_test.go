package jira

import (
	"testing"
	"time"
)

// TestParseJiraTime reads Jira's own form ("+0000", as real Jira writes
// it) and RFC 3339 (the document's date-time, as the fake writes it).
func TestParseJiraTime(t *testing.T) {
	want := time.Date(2021, 1, 17, 12, 34, 0, 0, time.UTC)
	for _, s := range []string{"2021-01-17T12:34:00.000+0000", "2021-01-17T13:34:00.000+0100", "2021-01-17T12:34:00.000Z", "2021-01-17T12:34:00.000+00:00"} {
		got, err := parseJiraTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseJiraTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if _, err := parseJiraTime("yesterday"); err == nil {
		t.Error("parseJiraTime took \"yesterday\"")
	}
}
