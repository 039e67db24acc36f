package setbot_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

func rosterZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("time zone %s is not available here (no tzdata): %v", name, err)
	}
	return loc
}

func rosterMonday(t testing.TB, s string, loc *time.Location) time.Time {
	t.Helper()
	d, err := setbot.ParseWeekStart(s, loc)
	if err != nil {
		t.Fatalf("ParseWeekStart(%q): %v", s, err)
	}
	return d
}

// at is a wall-clock time in loc.
func rosterAt(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, loc)
}

func TestParseWeekStart(t *testing.T) {
	ny := rosterZone(t, "America/New_York")
	got, err := setbot.ParseWeekStart("2026-11-30", ny)
	if err != nil || !got.Equal(rosterAt(ny, 2026, 11, 30, 0, 0)) {
		t.Fatalf("ParseWeekStart(2026-11-30) = %v, %v", got, err)
	}
	for in, want := range map[string]string{
		"2026-12-01": "Did you mean 2026-11-30?",
		"2026-03-08": "Did you mean 2026-03-02?",
		"30/11/2026": "YYYY-MM-DD",
		"":           "YYYY-MM-DD",
	} {
		_, err := setbot.ParseWeekStart(in, ny)
		if setbot.ErrorCode(err) != setbot.EInvalid || !strings.Contains(setbot.ErrorMessage(err), want) {
			t.Errorf("ParseWeekStart(%q) = %v, want EInvalid saying %q", in, err, want)
		}
	}
}

func TestNewRosterValidates(t *testing.T) {
	ny := rosterZone(t, "America/New_York")
	mon := rosterMonday(t, "2026-03-02", ny)
	cases := map[string]struct {
		loc       *time.Location
		weeks     []setbot.Week
		overrides []setbot.Override
		code      string
	}{
		"no time zone":     {loc: nil, code: setbot.EUnconfigured},
		"tuesday":          {loc: ny, weeks: []setbot.Week{{Starts: mon.AddDate(0, 0, 1)}}, code: setbot.EInvalid},
		"monday not 00:00": {loc: ny, weeks: []setbot.Week{{Starts: mon.Add(time.Hour)}}, code: setbot.EInvalid},
		"monday in UTC":    {loc: ny, weeks: []setbot.Week{{Starts: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)}}, code: setbot.EInvalid},
		"out of order":     {loc: ny, weeks: []setbot.Week{{Starts: mon.AddDate(0, 0, 7)}, {Starts: mon}}, code: setbot.EInvalid},
		"twice":            {loc: ny, weeks: []setbot.Week{{Starts: mon}, {Starts: mon}}, code: setbot.EInvalid},
		"override sunday":  {loc: ny, overrides: []setbot.Override{{WeekStart: "2026-03-08", Role: setbot.RoleLead, User: "x"}}, code: setbot.EInvalid},
		"override no role": {loc: ny, overrides: []setbot.Override{{WeekStart: "2026-03-02", User: "x"}}, code: setbot.EInvalid},
		"fine":             {loc: ny, weeks: []setbot.Week{{Starts: mon}, {Starts: mon.AddDate(0, 0, 14)}}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := setbot.NewRoster(c.loc, c.weeks, c.overrides)
			if got := setbot.ErrorCode(err); got != c.code {
				t.Fatalf("NewRoster: code %q (%v), want %q", got, err, c.code)
			}
		})
	}
}

// dstRoster has one person set per week around both of loc's DST switches of 2026.
func dstRoster(t *testing.T, loc *time.Location, mondays ...string) setbot.Roster {
	t.Helper()
	var weeks []setbot.Week
	for i, m := range mondays {
		n := setbot.Username(rune('a' + i))
		weeks = append(weeks, setbot.Week{Starts: rosterMonday(t, m, loc), Primary: "p" + n, Backup: "b" + n, Lead: "l" + n})
	}
	r, err := setbot.NewRoster(loc, weeks, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestWeekBoundariesAcrossDST(t *testing.T) {
	for _, tc := range []struct {
		zone    string
		mondays []string // the week before, of, and after the spring and autumn switches
		springs string   // Monday of the week whose Sunday springs forward
		falls   string   // Monday of the week whose Sunday falls back
	}{
		{"America/New_York", []string{"2026-03-02", "2026-03-09", "2026-10-26", "2026-11-02"}, "2026-03-02", "2026-10-26"},
		{"Europe/Berlin", []string{"2026-03-23", "2026-03-30", "2026-10-19", "2026-10-26"}, "2026-03-23", "2026-10-19"},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			loc := rosterZone(t, tc.zone)
			r := dstRoster(t, loc, tc.mondays...)
			spring := rosterMonday(t, tc.springs, loc)
			fall := rosterMonday(t, tc.falls, loc)

			// A week with a spring-forward Sunday is an hour short, one with a
			// fall-back Sunday an hour long, and both end on Monday 00:00 local.
			for _, w := range []struct {
				start time.Time
				hours int
			}{{spring, 167}, {fall, 169}} {
				s, ok := r.At(w.start.Add(72 * time.Hour))
				if !ok || !s.WeekStart.Equal(w.start) {
					t.Fatalf("At(%v) = %+v, %v; want the week of %v", w.start, s, ok, w.start)
				}
				if got := s.WeekEnd.Sub(s.WeekStart); got != time.Duration(w.hours)*time.Hour {
					t.Errorf("week of %s lasts %v, want %vh", s.Week(), got, w.hours)
				}
				if h, m, _ := s.WeekEnd.In(loc).Clock(); h != 0 || m != 0 || s.WeekEnd.In(loc).Weekday() != time.Monday {
					t.Errorf("week of %s ends %v, want Monday 00:00 local", s.Week(), s.WeekEnd.In(loc))
				}
				if got := r.NextBoundary(w.start.Add(time.Minute)); !got.Equal(s.WeekEnd) {
					t.Errorf("NextBoundary = %v, want %v", got, s.WeekEnd)
				}
			}

			// The boundary itself: one second before Monday 00:00 local is the
			// old shift, Monday 00:00 the new one, whatever the UTC clock says.
			end, _ := r.At(spring)
			before, _ := r.At(end.WeekEnd.Add(-time.Second))
			after, _ := r.At(end.WeekEnd)
			if before.Primary != "pa" || after.Primary != "pb" {
				t.Errorf("around %v: primary %q then %q, want pa then pb", end.WeekEnd, before.Primary, after.Primary)
			}
			fallEnd, _ := r.At(fall)
			before, _ = r.At(fallEnd.WeekEnd.Add(-time.Second))
			after, _ = r.At(fallEnd.WeekEnd)
			if before.Primary != "pc" || after.Primary != "pd" {
				t.Errorf("around %v: primary %q then %q, want pc then pd", fallEnd.WeekEnd, before.Primary, after.Primary)
			}
		})
	}
}

func TestAtUsesTheRotationTimeZone(t *testing.T) {
	berlin := rosterZone(t, "Europe/Berlin")
	r := dstRoster(t, berlin, "2026-11-23", "2026-11-30")
	// Sunday 23:30 UTC is already Monday 00:30 in Berlin.
	s, ok := r.At(time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC))
	if !ok || s.Primary != "pb" || s.Week() != "2026-11-30" {
		t.Fatalf("At(Sun 23:30 UTC) = %+v, %v; want the Berlin week of 2026-11-30", s, ok)
	}
}

func TestEntriesLastUntilTheNext(t *testing.T) {
	ny := rosterZone(t, "America/New_York")
	r := dstRoster(t, ny, "2026-11-02", "2026-11-23")
	for _, c := range []struct {
		when    time.Time
		primary setbot.Username
		ok      bool
	}{
		{rosterAt(ny, 2026, 11, 1, 12, 0), "", false},   // before the first entry
		{rosterAt(ny, 2026, 11, 4, 12, 0), "pa", true},  // first entry
		{rosterAt(ny, 2026, 11, 18, 12, 0), "pa", true}, // still the first entry, two weeks on
		{rosterAt(ny, 2026, 11, 23, 0, 0), "pb", true},  // second entry
		{rosterAt(ny, 2026, 11, 29, 23, 59), "pb", true},
		{rosterAt(ny, 2026, 11, 30, 0, 0), "", false}, // the last entry lasts one week
	} {
		s, ok := r.At(c.when)
		if s.Primary != c.primary || ok != c.ok {
			t.Errorf("At(%v) primary %q ok %v, want %q %v", c.when, s.Primary, ok, c.primary, c.ok)
		}
	}
}

func TestOverrides(t *testing.T) {
	ny := rosterZone(t, "America/New_York")
	weeks := []setbot.Week{{Starts: rosterMonday(t, "2026-11-23", ny), Primary: "ann", Backup: "bob", Lead: "lee"}}
	r, err := setbot.NewRoster(ny, weeks, []setbot.Override{
		{WeekStart: "2026-11-23", Role: setbot.RoleBackup, User: "cat"},
		{WeekStart: "2026-11-23", Role: setbot.RoleBackup, User: "dan"},  // later wins
		{WeekStart: "2026-11-30", Role: setbot.RolePrimary, User: "eve"}, // past the roster's end
	})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.At(rosterAt(ny, 2026, 11, 25, 9, 0))
	if s.Primary != "ann" || s.Backup != "dan" || s.Lead != "lee" {
		t.Errorf("week of 11-23 = %+v, want ann/dan/lee", s)
	}
	s, ok := r.At(rosterAt(ny, 2026, 12, 1, 9, 0))
	if !ok || s.Primary != "eve" || s.Backup != "" || s.Lead != "" {
		t.Errorf("week of 11-30 = %+v %v, want only primary eve", s, ok)
	}
	up := r.Upcoming(rosterAt(ny, 2026, 11, 25, 9, 0), 3)
	if len(up) != 3 || up[0].Week() != "2026-11-23" || up[1].Week() != "2026-11-30" || up[2].Week() != "2026-12-07" {
		t.Errorf("Upcoming = %+v", up)
	}
}

func TestGaps(t *testing.T) {
	ny := rosterZone(t, "America/New_York")
	weeks := []setbot.Week{
		{Starts: rosterMonday(t, "2026-11-23", ny), Primary: "ann", Backup: "gone", Lead: "lee"},
		{Starts: rosterMonday(t, "2026-11-30", ny), Primary: "bob", Lead: "lee"},
	}
	r, err := setbot.NewRoster(ny, weeks, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := rosterAt(ny, 2026, 11, 24, 9, 0)
	if got := r.Users(now, 3); !slices.Equal(got, []setbot.Username{"ann", "bob", "gone", "lee"}) {
		t.Errorf("Users = %v", got)
	}
	exists := func(u setbot.Username) bool { return u != "gone" }
	var lines []string
	for _, g := range r.Gaps(now, 3, exists) {
		lines = append(lines, g.String())
	}
	want := []string{
		"2026-11-23 backup: @gone does not exist",
		"2026-11-30 backup: nobody assigned",
		"2026-12-07 lead: nobody assigned",
		"2026-12-07 primary: nobody assigned",
		"2026-12-07 backup: nobody assigned",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("Gaps =\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if g := r.Gaps(now, 1, nil); len(g) != 0 {
		t.Errorf("Gaps without a user check = %v, want none", g)
	}
}

func TestWhoMayChangeTheRotation(t *testing.T) {
	ny := rosterZone(t, "America/New_York")
	weeks := []setbot.Week{
		{Starts: rosterMonday(t, "2026-11-23", ny), Primary: "ann", Backup: "bob", Lead: "lee"},
		{Starts: rosterMonday(t, "2026-11-30", ny), Primary: "bob", Backup: "ann", Lead: "max"},
		{Starts: rosterMonday(t, "2026-12-07", ny), Primary: "cat", Backup: "dan", Lead: "ned"},
	}
	r, err := setbot.NewRoster(ny, weeks, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := rosterAt(ny, 2026, 11, 24, 9, 0)
	admins := []setbot.Username{"root"}
	// The admins, this week's lead and next week's (each once, in order);
	// the people they name are checked by account in package dispatch.
	if got := fmt.Sprint(r.Changers(admins, now)); got != "[root lee max]" {
		t.Errorf("Changers = %s, want [root lee max]", got)
	}
	// A week later the next lead is ned and lee may no longer change it.
	later := now.AddDate(0, 0, 7)
	if got := fmt.Sprint(r.Changers(nil, later)); got != "[max ned]" {
		t.Errorf("a week later: Changers = %s, want [max ned]", got)
	}
}

func TestSwap(t *testing.T) {
	ny := rosterZone(t, "America/New_York")
	weeks := []setbot.Week{{Starts: rosterMonday(t, "2026-11-23", ny), Primary: "ann", Backup: "bob", Lead: "lee"}}
	r, _ := setbot.NewRoster(ny, weeks, nil)
	mon := rosterMonday(t, "2026-11-23", ny)
	got, err := r.Swap(mon, "ann", "bob")
	want := []setbot.Override{
		{WeekStart: "2026-11-23", Role: setbot.RolePrimary, User: "bob"},
		{WeekStart: "2026-11-23", Role: setbot.RoleBackup, User: "ann"},
	}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("Swap(ann, bob) = %v, %v; want %v", got, err, want)
	}
	// Swapping with somebody off SET hands the seat over.
	got, err = r.Swap(mon, "zed", "lee")
	if err != nil || !slices.Equal(got, []setbot.Override{{WeekStart: "2026-11-23", Role: setbot.RoleLead, User: "zed"}}) {
		t.Fatalf("Swap(zed, lee) = %v, %v", got, err)
	}
	r2, _ := setbot.NewRoster(ny, weeks, got)
	if s, _ := r2.At(mon); s.Lead != "zed" {
		t.Errorf("after applying the swap the lead is %q", s.Lead)
	}
	for _, pair := range [][2]setbot.Username{{"x", "y"}, {"ann", "ann"}} {
		if _, err := r.Swap(mon, pair[0], pair[1]); setbot.ErrorCode(err) != setbot.EInvalid {
			t.Errorf("Swap(%v) = %v, want EInvalid", pair, err)
		}
	}
}

func TestParseWeeks(t *testing.T) {
	berlin := rosterZone(t, "Europe/Berlin")
	r, _ := setbot.NewRoster(berlin, nil, nil)
	now := rosterAt(berlin, 2026, 10, 21, 15, 0) // a Wednesday, the week before DST ends
	cases := []struct {
		in   string
		want []string
		code string
	}{
		{in: "this", want: []string{"2026-10-19"}},
		{in: "next", want: []string{"2026-10-26"}},
		{in: "2026-11-30", want: []string{"2026-11-30"}},
		{in: "2026-10-22..2026-11-02", want: []string{"2026-10-19", "2026-10-26", "2026-11-02"}},
		{in: "2026-12-01", code: setbot.EInvalid},
		{in: "2026-11-02..2026-10-22", code: setbot.EInvalid},
		{in: "2026-01-05..2027-01-04", code: setbot.ETooLarge},
	}
	for _, c := range cases {
		got, err := r.ParseWeeks(c.in, now)
		if setbot.ErrorCode(err) != c.code {
			t.Errorf("ParseWeeks(%q) error %v, want code %q", c.in, err, c.code)
			continue
		}
		var weeks []string
		for _, w := range got {
			if h, _, _ := w.Clock(); h != 0 || w.Location() != berlin {
				t.Errorf("ParseWeeks(%q) gave %v, not 00:00 in Berlin", c.in, w)
			}
			weeks = append(weeks, w.Format(setbot.WeekLayout))
		}
		if !slices.Equal(weeks, c.want) {
			t.Errorf("ParseWeeks(%q) = %v, want %v", c.in, weeks, c.want)
		}
	}
}

func TestRoleText(t *testing.T) {
	for _, r := range setbot.Roles {
		b, err := r.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back setbot.Role
		if err := back.UnmarshalText(b); err != nil || back != r {
			t.Errorf("role %v round trip: %v %v", r, back, err)
		}
	}
	if _, err := setbot.RoleUnset.MarshalText(); err == nil {
		t.Error("an unset role marshalled")
	}
	if _, err := setbot.ParseRole("boss"); setbot.ErrorCode(err) != setbot.EInvalid {
		t.Errorf("ParseRole(boss) = %v", err)
	}
}

func TestMentions(t *testing.T) {
	for want, in := range map[string][]setbot.Username{"": nil, "@a": {"a"}, "@a or @b": {"a", "b"}, "@a, @b or @c": {"a", "b", "c"}} {
		if got := setbot.Mentions(in); got != want {
			t.Errorf("Mentions(%v) = %q, want %q", in, got, want)
		}
	}
}
