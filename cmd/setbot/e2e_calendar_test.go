//go:build e2e

package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const e2eCalendarToken = "e2e-calendar-token-0123456789"

// getCalendar GETs setbot's calendar feed at path and returns its body.
func getCalendar(t *testing.T, r *running, path string) (int, string) {
	t.Helper()
	res, err := http.Get("http://" + r.main.Addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// TestE2ECalendarFollowsAnOverride: the feed shows the rig's week; the
// lead's override in ~sustained-engineering is in the feed as soon as
// setbot answers it, "@setbot rotation" says who made it, and the token
// never reaches the logs.
func TestE2ECalendarFollowsAnOverride(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "[calendar]\ntoken = \""+e2eCalendarToken+"\"\n")
	run := r.start(t)
	feed := "/calendar/" + e2eCalendarToken + ".ics"
	if code, body := getCalendar(t, run, feed); code != http.StatusOK || !strings.Contains(body, "SUMMARY:SET primary: @alice") {
		t.Fatalf("GET the feed: %d\n%s", code, body)
	}
	if code, _ := getCalendar(t, run, "/calendar/not-the-token.ics"); code != http.StatusNotFound {
		t.Errorf("a wrong token: %d, want 404", code)
	}
	carol := person(t, w, "carol")
	ask(t, w, carol, "override next primary @dave", "Done")
	next := time.Now().UTC()
	for next = next.AddDate(0, 0, 1); next.Weekday() != time.Monday; next = next.AddDate(0, 0, 1) {
	}
	uid := "UID:" + next.Format("2006-01-02") + "-primary@setbot"
	_, body := getCalendar(t, run, feed+"?user=dave")
	if !strings.Contains(body, uid) || !strings.Contains(body, "SUMMARY:SET primary: @dave") || strings.Contains(body, "@alice") {
		t.Errorf("dave's feed after the override:\n%s", body)
	}
	ask(t, w, carol, "rotation", "primary `@dave` (override by `@carol`)")
	if strings.Contains(run.logs.String(), e2eCalendarToken) {
		t.Errorf("the calendar token is in the logs")
	}
}
