package setbot

import (
	"strings"
	"testing"
	"time"
)

// TestWeekRecordGolden computes a week's figures from fixed facts and
// checks every one. The week is Monday 2026-03-02 in New York; daylight
// saving starts on Sunday 2026-03-08, so the last day is 23 hours long.
func TestWeekRecordGolden(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	mon := time.Date(2026, 3, 2, 0, 0, 0, 0, ny)
	at := func(day, hour int) time.Time { return mon.AddDate(0, 0, day).Add(time.Duration(hour) * time.Hour) }
	f := WeekFacts{
		Week: mon,
		Filed: []FiledTicket{
			{Key: "SET-1", Level: L1, At: at(0, 10)}, {Key: "SET-2", Level: L3, At: at(2, 9)},
			{Key: "SET-3", Level: L3, At: at(6, 22)}, {Key: "SET-4", At: at(4, 12)},
			{Key: "SET-0", Level: L2, At: at(-1, 23)}, // the week before
			{Key: "SET-9", Level: L2, At: at(7, 1)},   // the week after
		},
		Watched: []Watched{
			{Post: "a", At: at(0, 9), Answered: true, AnsweredAt: at(0, 9).Add(20 * time.Minute)},
			{Post: "b", At: at(1, 9), Answered: true, AnsweredAt: at(1, 9).Add(40 * time.Minute)},
			{Post: "c", At: at(2, 9), Answered: true, AnsweredAt: at(2, 9).Add(10 * time.Minute)},
			{Post: "d", At: at(3, 9), Answered: true, AnsweredAt: at(3, 12)},
			{Post: "e", At: at(4, 9)},                                        // never answered: not counted
			{Post: "f", At: at(1, 9), Answered: true},                        // answered before AnsweredAt was kept
			{Post: "g", At: at(-2, 9), Answered: true, AnsweredAt: at(0, 1)}, // an older week's post
		},
		Incidents: []Incident{
			// Opened Wednesday 15:00, updated Thursday, silent Friday, resolved Saturday 10:00:
			// days Wed (opened), Thu (update), Fri (none), Sat (none) = 4 days, 2 updated.
			{Key: "SET-1", Opened: at(2, 15), Resolved: true, ResolvedAt: at(5, 10)},
			// Open all week since the week before, updated Monday and Sunday only: 7 days, 2 updated.
			{Key: "SET-7", Opened: at(-3, 0), LastUpdate: at(6, 20)},
			// Resolved before the week: no days.
			{Key: "SET-8", Opened: at(-9, 0), Resolved: true, ResolvedAt: at(-1, 0)},
		},
		Updates: map[IssueKey][]time.Time{
			"SET-1": {at(3, 11)},
			"SET-7": {at(0, 8), at(6, 20)},
		},
		Pages: []Page{
			{ID: "p1", Created: at(0, 10), AckedBy: "alice", AckedAt: at(0, 10).Add(4 * time.Minute)},
			{ID: "p2", Created: at(3, 2), AckedBy: "bob", AckedAt: at(3, 2).Add(16 * time.Minute)},
			{ID: "p3", Created: at(5, 2)}, // never acknowledged
			{ID: "p0", Created: at(-1, 2), AckedBy: "bob", AckedAt: at(-1, 3)},
		},
		StaleAtHandover: 3,
	}
	got := f.Record()
	want := WeekRecord{
		Week:            "2026-03-02",
		Filed:           [5]int{1, 1, 0, 2, 0},
		FirstResponse:   Spread{N: 4, Median: 20 * time.Minute, P90: 3 * time.Hour},
		IncidentDays:    11,
		UpdatedDays:     4,
		Pages:           3,
		Ack:             Spread{N: 2, Median: 4 * time.Minute, P90: 16 * time.Minute},
		StaleAtHandover: 3,
	}
	if got != want {
		t.Errorf("record:\n got %+v\nwant %+v", got, want)
	}
	// The week so far, at Thursday 12:00: Thursday's update at 11:00 counts.
	f.Until = at(3, 12)
	sofar := f.Record()
	if sofar.FiledTotal() != 2 || sofar.IncidentDays != 6 || sofar.UpdatedDays != 3 || sofar.Pages != 2 {
		t.Errorf("the week so far: %+v; want 2 filed, 6 incident-days (SET-7 Mon–Thu, SET-1 Wed–Thu), 3 updated, 2 pages", sofar)
	}
	lines := RecordTable([]WeekRecord{want, {Week: "2026-03-09", StaleAtHandover: -1}})
	for _, w := range []string{
		"| 2026-03-02 | 4 (1/0/2/0/1) | 20m, 3h (4) | 4 of 11 (36%) | 3, 4m | 3 |",
		"| 2026-03-09 | 0 (0/0/0/0/0) | – | no incidents | 0 | – |",
	} {
		if !strings.Contains(strings.Join(lines, "\n"), w) {
			t.Errorf("table lacks %q:\n%s", w, strings.Join(lines, "\n"))
		}
	}
}

func TestSpreadsNearestRank(t *testing.T) {
	m := time.Minute
	if s := Spreads(nil); s != (Spread{}) {
		t.Errorf("empty: %+v", s)
	}
	if s := Spreads([]time.Duration{5 * m}); s != (Spread{N: 1, Median: 5 * m, P90: 5 * m}) {
		t.Errorf("one: %+v", s)
	}
	ds := []time.Duration{10 * m, 1 * m, 9 * m, 2 * m, 8 * m, 3 * m, 7 * m, 4 * m, 6 * m, 5 * m}
	if s := Spreads(ds); s != (Spread{N: 10, Median: 5 * m, P90: 9 * m}) {
		t.Errorf("1..10: %+v", s)
	}
	if ds[0] != 10*m {
		t.Error("Spreads sorted its argument")
	}
}
