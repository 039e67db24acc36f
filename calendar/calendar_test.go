package calendar

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
)

const token = "s3cret-calendar-token-0123"

// now is Wednesday 2026-12-02 in Berlin.
var now = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

// rig serves the feed of a four-member pattern in Europe/Berlin, with the
// overrides in ov read at each request, as setbot reads its store.
type rig struct {
	ov  []setbot.Override
	err error
	log bytes.Buffer
	h   http.Handler
}

func newRig(t *testing.T) *rig {
	t.Helper()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{}
	r.h = Handler{Token: token, Now: func() time.Time { return now }, Log: zerolog.New(&r.log),
		Roster: func() (setbot.Roster, error) {
			if r.err != nil {
				return setbot.Roster{}, r.err
			}
			ro, err := setbot.NewRoster(berlin, nil, r.ov)
			if err != nil {
				return setbot.Roster{}, err
			}
			return ro.WithPattern(&setbot.Pattern{Members: []setbot.Username{"alice", "bob", "carol", "dave"},
				Leads: []setbot.Username{"erin"}, Starts: time.Date(2026, 9, 28, 0, 0, 0, 0, berlin), LeadWeeks: 1})
		}}
	return r
}

func (r *rig) get(t *testing.T, path string) *httptest.ResponseRecorder {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(Route, r.h)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w
}

// events parses the feed back and returns its events by UID.
func events(t *testing.T, w *httptest.ResponseRecorder) map[string]*ics.VEvent {
	t.Helper()
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/calendar") {
		t.Fatalf("status %d, type %q: %s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatalf("the feed does not parse: %v\n%s", err, w.Body)
	}
	out := map[string]*ics.VEvent{}
	for _, e := range cal.Events() {
		if _, dup := out[e.Id()]; dup {
			t.Fatalf("UID %s twice", e.Id())
		}
		out[e.Id()] = e
	}
	return out
}

func prop(e *ics.VEvent, p ics.ComponentProperty) string {
	if v := e.GetProperty(p); v != nil {
		return v.Value
	}
	return ""
}

func TestFeedHasEverySeatOfThirtyWeeks(t *testing.T) {
	r := newRig(t)
	evs := events(t, r.get(t, "/calendar/"+token+".ics"))
	if len(evs) != 30*3 {
		t.Fatalf("want 90 events (3 seats × 4 past and 26 coming weeks), got %d", len(evs))
	}
	// This week (2026-11-30) is week 9 of the pattern: primary bob, backup carol.
	e := evs["2026-11-30-primary@setbot"]
	if e == nil || prop(e, ics.ComponentPropertySummary) != "SET primary: @bob" {
		t.Fatalf("this week's primary: %+v", e)
	}
	start, err1 := e.GetAllDayStartAt()
	end, err2 := e.GetAllDayEndAt()
	if err1 != nil || err2 != nil || start.Format("2006-01-02") != "2026-11-30" || end.Format("2006-01-02") != "2026-12-07" {
		t.Errorf("this week's primary runs %v..%v (%v, %v), want the week as all-day dates", start, end, err1, err2)
	}
	first, last := evs["2026-11-02-lead@setbot"], evs["2027-05-24-backup@setbot"]
	if first == nil || last == nil {
		t.Errorf("want the feed to run from 2026-11-02 to the week of 2027-05-24")
	}
	if evs["2026-10-26-lead@setbot"] != nil || evs["2027-05-31-lead@setbot"] != nil {
		t.Errorf("the feed runs past its window")
	}
	if !strings.Contains(r.get(t, "/calendar/"+token+".ics").Body.String(), "X-WR-TIMEZONE:Europe/Berlin") {
		t.Errorf("the rotation's time zone is not named")
	}
}

func TestFeedForOnePersonAndOverridesAtOnce(t *testing.T) {
	r := newRig(t)
	evs := events(t, r.get(t, "/calendar/"+token+".ics?user=@Alice"))
	// alice is primary every 4th week and backup the week before: 30 weeks
	// hold 7 or 8 of each.
	for uid, e := range evs {
		if s := prop(e, ics.ComponentPropertySummary); !strings.HasSuffix(s, ": @alice") {
			t.Errorf("%s in alice's feed: %s", uid, s)
		}
	}
	if len(evs) < 14 || len(evs) > 16 {
		t.Errorf("alice has %d seats in 30 weeks, want 14-16", len(evs))
	}
	r.ov = []setbot.Override{{WeekStart: "2026-11-30", Role: setbot.RolePrimary, User: "alice"}}
	evs = events(t, r.get(t, "/calendar/"+token+".ics?user=alice"))
	if e := evs["2026-11-30-primary@setbot"]; e == nil {
		t.Errorf("the override is not in alice's feed at once")
	}
	all := events(t, r.get(t, "/calendar/"+token+".ics"))
	if s := prop(all["2026-11-30-primary@setbot"], ics.ComponentPropertySummary); s != "SET primary: @alice" {
		t.Errorf("the same UID now says %q", s)
	}
}

func TestWrongTokenIsNotFoundAndTokenNeverLogged(t *testing.T) {
	r := newRig(t)
	for _, path := range []string{"/calendar/wrong.ics", "/calendar/" + token, "/calendar/" + token + "x.ics", "/calendar/.ics"} {
		if w := r.get(t, path); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "BEGIN:VCALENDAR") {
			t.Errorf("GET %s: %d %q", path, w.Code, w.Body)
		}
	}
	r.err = errors.New("store closed")
	w := r.get(t, "/calendar/"+token+".ics")
	if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "store closed") {
		t.Errorf("a store failure: %d %q (a person never sees a raw error)", w.Code, w.Body)
	}
	if !strings.Contains(r.log.String(), "store closed") || strings.Contains(r.log.String(), token) {
		t.Errorf("log: %s", r.log.String())
	}
}

func TestFeedOffWithoutAToken(t *testing.T) {
	r := newRig(t)
	r.h = Handler{Roster: r.h.(Handler).Roster, Now: func() time.Time { return now }}
	if w := r.get(t, "/calendar/.ics"); w.Code != http.StatusNotFound {
		t.Errorf("an empty token served the feed: %d", w.Code)
	}
}
