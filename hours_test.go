package setbot_test

import (
	"testing"
	"time"

	"github.com/setbot/setbot"
)

func TestParseHours(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Mon-Fri 08:00-18:00", "Mon,Tue,Wed,Thu,Fri 08:00-18:00"},
		{"monday,wed 9:30-17:00", "Mon,Wed 09:30-17:00"},
		{"Fri-Mon 10:00-00:00", "Sun,Mon,Fri,Sat 10:00-24:00"},
		{"", "always"},
	} {
		h, err := setbot.ParseHours(c.in)
		if err != nil || h.String() != c.want {
			t.Errorf("ParseHours(%q) = %s, %v; want %s", c.in, h, err, c.want)
		}
	}
	for _, bad := range []string{"Mon-Fri", "Moon 08:00-18:00", "Mon-Fri 18:00-08:00", "Mon 8-18", "Mon-Fri 08:00-08:00"} {
		if _, err := setbot.ParseHours(bad); err == nil {
			t.Errorf("ParseHours(%q) accepted", bad)
		}
	}
}

func TestHoursAdd(t *testing.T) {
	ny := rosterZone(t, "America/New_York")
	h, err := setbot.ParseHours("Mon-Fri 08:00-18:00")
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, ny) }
	for _, c := range []struct {
		name  string
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"within the day", at(2026, 12, 2, 9, 0), time.Hour, at(2026, 12, 2, 10, 0)},
		{"before opening", at(2026, 12, 2, 6, 0), time.Hour, at(2026, 12, 2, 9, 0)},
		{"over the evening", at(2026, 12, 2, 17, 30), time.Hour, at(2026, 12, 3, 8, 30)},
		{"over the weekend", at(2026, 12, 4, 17, 30), time.Hour, at(2026, 12, 7, 8, 30)},
		{"posted on Saturday", at(2026, 12, 5, 11, 0), 2 * time.Hour, at(2026, 12, 7, 10, 0)},
		{"more than a day", at(2026, 12, 2, 9, 0), 12 * time.Hour, at(2026, 12, 3, 11, 0)},
		// 2026-03-08 is the spring-forward Sunday: Monday's hours are
		// wall-clock hours, not shifted by the lost hour.
		{"over spring forward", at(2026, 3, 6, 17, 0), 2 * time.Hour, at(2026, 3, 9, 9, 0)},
		{"over fall back", at(2026, 10, 30, 17, 0), 2 * time.Hour, at(2026, 11, 2, 9, 0)},
	} {
		if got := h.Add(c.start, c.d, ny); !got.Equal(c.want) {
			t.Errorf("%s: Add(%s, %s) = %s, want %s", c.name, c.start, c.d, got.In(ny), c.want)
		}
	}
	if got := (setbot.Hours{}).Add(at(2026, 12, 5, 11, 0), time.Hour, ny); !got.Equal(at(2026, 12, 5, 12, 0)) {
		t.Errorf("always: %s", got)
	}
}

func TestWatchPolicy(t *testing.T) {
	ny := rosterZone(t, "America/New_York")
	h, _ := setbot.ParseHours("Mon-Fri 08:00-18:00")
	p := setbot.WatchPolicy{FirstResponse: time.Hour, Hours: h, Location: ny, Targets: map[setbot.Priority]time.Duration{setbot.L1: 30 * time.Minute, setbot.L2: 2 * time.Hour}}
	sat := time.Date(2026, 12, 5, 11, 0, 0, 0, ny)
	for _, c := range []struct {
		level setbot.Priority
		n     int
		want  time.Time
	}{
		{setbot.PriorityUnset, 1, time.Date(2026, 12, 7, 9, 0, 0, 0, ny)}, // waits for Monday's hours
		{setbot.PriorityUnset, 2, time.Date(2026, 12, 7, 10, 0, 0, 0, ny)},
		{setbot.L3, 1, time.Date(2026, 12, 7, 9, 0, 0, 0, ny)},
		{setbot.L1, 1, sat.Add(30 * time.Minute)}, // around the clock
		{setbot.L1, 2, sat.Add(time.Hour)},
		{setbot.L2, 1, sat.Add(time.Hour)}, // never later than first_response
	} {
		if got := p.NudgeAt(setbot.Watched{At: sat, Level: c.level}, c.n); !got.Equal(c.want) {
			t.Errorf("%v nudge %d at %s, want %s", c.level, c.n, got.In(ny), c.want)
		}
	}
}

func TestNamedLevel(t *testing.T) {
	for text, want := range map[string]setbot.Priority{
		"Customer X is down, L1":              setbot.L1,
		"(l2) slow search; maybe L1 tomorrow": setbot.L1,
		"p2: push is late":                    setbot.L2,
		"L3 question about LDAP":              setbot.PriorityUnset,
		"see HL1-4 and l10n":                  setbot.PriorityUnset,
		"":                                    setbot.PriorityUnset,
	} {
		if got := setbot.NamedLevel(text); got != want {
			t.Errorf("NamedLevel(%q) = %v, want %v", text, got, want)
		}
	}
}
