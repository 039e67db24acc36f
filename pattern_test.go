package setbot_test

import (
	"fmt"
	"testing"

	"github.com/setbot/setbot"
)

func patternRoster(t *testing.T, weeks []setbot.Week, overrides []setbot.Override) setbot.Roster {
	t.Helper()
	ny := rosterZone(t, "America/New_York")
	r, err := setbot.NewRoster(ny, weeks, overrides)
	if err != nil {
		t.Fatal(err)
	}
	r, err = r.WithPattern(&setbot.Pattern{Members: []setbot.Username{"alice", "bob", "carol", "dave"},
		Leads: []setbot.Username{"erin", "frank"}, Starts: rosterMonday(t, "2026-09-28", ny), LeadWeeks: 2})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestPatternProperties: with the pattern alone, every week (across both
// daylight-saving changes of a year) has distinct primary and backup,
// this week's backup is next week's primary, and leads serve two weeks each.
func TestPatternProperties(t *testing.T) {
	r := patternRoster(t, nil, nil)
	ny := r.Location()
	shifts := r.Upcoming(rosterAt(ny, 2026, 9, 28, 12, 0), 60)
	for k, s := range shifts {
		if s.Primary == "" || s.Backup == "" || s.Primary == s.Backup {
			t.Fatalf("week %d (%s): primary %q backup %q", k, s.Week(), s.Primary, s.Backup)
		}
		if k+1 < len(shifts) && s.Backup != shifts[k+1].Primary {
			t.Fatalf("week %d (%s): backup %s is not next week's primary %s", k, s.Week(), s.Backup, shifts[k+1].Primary)
		}
		if want := []setbot.Username{"erin", "frank"}[(k/2)%2]; s.Lead != want {
			t.Fatalf("week %d (%s): lead %s, want %s", k, s.Week(), s.Lead, want)
		}
		if want := []setbot.Username{"alice", "bob", "carol", "dave"}[k%4]; s.Primary != want {
			t.Fatalf("week %d (%s): primary %s, want %s (a DST change must not shift the count)", k, s.Week(), s.Primary, want)
		}
	}
	if s, ok := r.At(rosterAt(ny, 2026, 9, 21, 12, 0)); ok {
		t.Errorf("the week before starts has %+v, want nobody", s)
	}
}

// TestWeekEntryAndOverrideOverThePattern: a week entry replaces the
// pattern for its week only, an override wins over both, and SeatSource
// says which.
func TestWeekEntryAndOverrideOverThePattern(t *testing.T) {
	ny := rosterZone(t, "America/New_York")
	entry := rosterMonday(t, "2026-10-12", ny) // week 2 of the pattern
	r := patternRoster(t, []setbot.Week{{Starts: entry, Primary: "zed", Backup: "yan", Lead: "xia"}},
		[]setbot.Override{{WeekStart: "2026-10-12", Role: setbot.RoleLead, User: "max", By: "erin"}})
	s, _ := r.At(entry)
	if fmt.Sprintf("%s %s %s", s.Primary, s.Backup, s.Lead) != "zed yan max" {
		t.Errorf("the entry's week: %+v", s)
	}
	next, _ := r.At(entry.AddDate(0, 0, 7))
	if next.Primary != "dave" || next.Backup != "alice" {
		t.Errorf("the week after the entry is the pattern's again: %+v", next)
	}
	for role, want := range map[setbot.Role]string{setbot.RolePrimary: "week entry", setbot.RoleLead: "override"} {
		if got, _ := r.SeatSource(entry, role); got != want {
			t.Errorf("SeatSource(%s) = %q, want %q", role, got, want)
		}
	}
	if got, _ := r.SeatSource(entry.AddDate(0, 0, 7), setbot.RolePrimary); got != "pattern" {
		t.Errorf("SeatSource(next primary) = %q, want pattern", got)
	}
	if _, by := r.SeatSource(entry, setbot.RoleLead); by != "erin" {
		t.Errorf("the override's author = %q, want erin", by)
	}
}

func TestPatternIsChecked(t *testing.T) {
	ny := rosterZone(t, "America/New_York")
	r, _ := setbot.NewRoster(ny, nil, nil)
	for _, p := range []setbot.Pattern{
		{Starts: rosterMonday(t, "2026-09-28", ny), LeadWeeks: 1},
		{Members: []setbot.Username{"a"}, Starts: rosterAt(ny, 2026, 9, 29, 0, 0), LeadWeeks: 1},
		{Members: []setbot.Username{"a"}, Starts: rosterMonday(t, "2026-09-28", ny)},
	} {
		if _, err := r.WithPattern(&p); setbot.ErrorCode(err) != setbot.EInvalid {
			t.Errorf("WithPattern(%+v) = %v, want an invalid pattern", p, err)
		}
	}
}
