package setbot

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Role is a seat on the SET rotation. Persisted as its name ("primary",
// "backup", "lead"); values only ever grow.
type Role int

const (
	RoleUnset Role = iota
	RolePrimary
	RoleBackup
	RoleLead
)

// Roles lists the seats in the order people read them in the header.
var Roles = [...]Role{RoleLead, RolePrimary, RoleBackup}

var roleNames = [...]string{RolePrimary: "primary", RoleBackup: "backup", RoleLead: "lead"}

// String returns "primary", "backup", "lead" or "unset".
func (r Role) String() string {
	if !r.Valid() {
		return "unset"
	}
	return roleNames[r]
}

// Valid reports whether r is primary, backup or lead.
func (r Role) Valid() bool { return r >= RolePrimary && r <= RoleLead }

// ParseRole accepts "primary", "backup" and "lead" in any case.
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "primary":
		return RolePrimary, nil
	case "backup", "back-up":
		return RoleBackup, nil
	case "lead":
		return RoleLead, nil
	}
	return RoleUnset, Errorf(EInvalid, "%q is not a SET role: say primary, backup or lead.", s)
}

// MarshalText implements encoding.TextMarshaler.
func (r Role) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, fmt.Errorf("invalid role %d", int(r))
	}
	return []byte(r.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Role) UnmarshalText(b []byte) error {
	v, err := ParseRole(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// WeekLayout is how a week is written: the date of its Monday.
const WeekLayout = "2006-01-02"

// lastEntryWeeks is how long the last [[rotation.week]] entry lasts: each
// entry lasts until the next, and the last one for one week, so that a roster
// that runs out shows up as a gap instead of keeping the same people forever.
const lastEntryWeeks = 1

// maxWeekRange bounds "YYYY-MM-DD..YYYY-MM-DD" in ParseWeeks: half a year.
const maxWeekRange = 26

// Week is one [[rotation.week]] entry: it starts on a Monday at 00:00 in the
// rotation's time zone and lasts until the next entry.
type Week struct {
	Starts  time.Time
	Primary Username
	Backup  Username
	Lead    Username
}

// Seat is who holds role in the week entry.
func (w Week) Seat(r Role) Username {
	return Shift{Primary: w.Primary, Backup: w.Backup, Lead: w.Lead}.Who(r)
}

// Override puts User in Role for the week that starts on WeekStart
// ("2026-11-30"), whatever the configured roster says.
type Override struct {
	WeekStart string
	Role      Role
	User      Username
	By        Username // who made it, when the store knows; "" otherwise
}

// Shift is who is on SET for one week.
type Shift struct {
	WeekStart time.Time // Monday 00:00 in the rotation's time zone
	WeekEnd   time.Time // the next Monday 00:00
	Primary   Username
	Backup    Username
	Lead      Username
}

// Who returns the user in a role, or "" when nobody is.
func (s Shift) Who(r Role) Username {
	switch r {
	case RolePrimary:
		return s.Primary
	case RoleBackup:
		return s.Backup
	case RoleLead:
		return s.Lead
	}
	return ""
}

func (s *Shift) set(r Role, u Username) {
	switch r {
	case RolePrimary:
		s.Primary = u
	case RoleBackup:
		s.Backup = u
	case RoleLead:
		s.Lead = u
	}
}

// Everyone is who is on the shift, each once, in header order (lead,
// primary, backup).
func (s Shift) Everyone() []Username {
	var all []Username
	for _, r := range Roles {
		if u := s.Who(r); u != "" && !slices.Contains(all, u) {
			all = append(all, u)
		}
	}
	return all
}

// Week is the shift's week as written in commands: "2026-11-30".
func (s Shift) Week() string { return s.WeekStart.Format(WeekLayout) }

// Empty reports whether nobody at all is on the shift.
func (s Shift) Empty() bool { return s.Primary == "" && s.Backup == "" && s.Lead == "" }

// Has reports whether u holds any role in the shift.
func (s Shift) Has(u Username) bool {
	return u != "" && (s.Primary == u || s.Backup == u || s.Lead == u)
}

// Roster answers who is on SET when. It is an immutable value, safe for
// concurrent use; build a new one when overrides change.
type Roster struct {
	loc       *time.Location
	weeks     []Week
	overrides map[string][]Override // by week start, in the order given
	pattern   *Pattern              // nil: the weeks alone
}

// NewRoster checks the configured weeks (each starts on a Monday at 00:00 in
// loc, in increasing order, no two the same) and the overrides (a Monday and
// a role each). Later overrides of the same week and role win. Errors are
// *Error naming the entry.
func NewRoster(loc *time.Location, weeks []Week, overrides []Override) (Roster, error) {
	if loc == nil {
		return Roster{}, Errorf(EUnconfigured, "[rotation] timezone is not set.")
	}
	r := Roster{loc: loc, weeks: slices.Clone(weeks), overrides: map[string][]Override{}}
	for i := range r.weeks {
		w := &r.weeks[i]
		w.Starts = w.Starts.In(loc)
		if !w.Starts.Equal(weekStart(w.Starts, loc)) {
			return Roster{}, Errorf(EInvalid, "[[rotation.week]] entry %d starts %s, which is not a Monday at 00:00 in %s.", i+1, w.Starts.Format(time.DateTime), loc)
		}
		if i > 0 && !w.Starts.After(r.weeks[i-1].Starts) {
			return Roster{}, Errorf(EInvalid, "[[rotation.week]] entry %d (%s) does not come after entry %d (%s): list the weeks in order, each once.", i+1, w.Starts.Format(WeekLayout), i, r.weeks[i-1].Starts.Format(WeekLayout))
		}
	}
	for _, o := range overrides {
		if _, err := ParseWeekStart(o.WeekStart, loc); err != nil {
			return Roster{}, err
		}
		if !o.Role.Valid() {
			return Roster{}, Errorf(EInvalid, "The override of week %s has no role.", o.WeekStart)
		}
		r.overrides[o.WeekStart] = append(r.overrides[o.WeekStart], o)
	}
	return r, nil
}

// Location is the rotation's time zone.
func (r Roster) Location() *time.Location { return r.loc }

// ParseWeekStart reads "YYYY-MM-DD", which must be a Monday, as 00:00 that
// day in loc.
func ParseWeekStart(s string, loc *time.Location) (time.Time, error) {
	d, err := time.ParseInLocation(WeekLayout, strings.TrimSpace(s), loc)
	if err != nil {
		return time.Time{}, Errorf(EInvalid, "%q is not a date: write it as YYYY-MM-DD, e.g. 2026-11-30.", s)
	}
	if d.Weekday() != time.Monday {
		monday := weekStart(d, loc)
		return time.Time{}, Errorf(EInvalid, "%s is a %s; SET weeks start on Mondays. Did you mean %s?", d.Format(WeekLayout), d.Weekday(), monday.Format(WeekLayout))
	}
	return d, nil
}

// weekStart is Monday 00:00 in loc of the week that contains t. It works on
// calendar dates, so a week with a DST switch is 167 or 169 hours long.
func weekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
}

func addWeeks(monday time.Time, n int, loc *time.Location) time.Time {
	y, m, d := monday.In(loc).Date()
	return time.Date(y, m, d+7*n, 0, 0, 0, 0, loc)
}

// WeekOf is Monday 00:00 of the week that contains t.
func (r Roster) WeekOf(t time.Time) time.Time { return weekStart(t, r.loc) }

// NextBoundary is the next Monday 00:00 after t, in the rotation's time zone.
func (r Roster) NextBoundary(t time.Time) time.Time {
	return addWeeks(weekStart(t, r.loc), 1, r.loc)
}

// At returns the shift of the week that contains t, overrides applied.
// ok is false when nobody at all is assigned that week.
func (r Roster) At(t time.Time) (s Shift, ok bool) {
	start := weekStart(t, r.loc)
	s = Shift{WeekStart: start, WeekEnd: addWeeks(start, 1, r.loc)}
	if w, found := r.configured(start); found {
		s.Primary, s.Backup, s.Lead = w.Primary, w.Backup, w.Lead
	} else if r.pattern != nil {
		if w, found := r.pattern.week(start, r.loc); found {
			s.Primary, s.Backup, s.Lead = w.Primary, w.Backup, w.Lead
		}
	}
	for _, o := range r.overrides[start.Format(WeekLayout)] {
		s.set(o.Role, o.User)
	}
	return s, !s.Empty()
}

// configured is the [[rotation.week]] entry in force in the week starting at
// monday: the last entry starting at or before it, unless the roster ended.
// With a pattern, an entry covers its own week only.
func (r Roster) configured(monday time.Time) (Week, bool) {
	i, _ := slices.BinarySearchFunc(r.weeks, monday, func(w Week, t time.Time) int { return w.Starts.Compare(t) })
	if i < len(r.weeks) && r.weeks[i].Starts.Equal(monday) {
		return r.weeks[i], true
	}
	if r.pattern != nil {
		return Week{}, false
	}
	if i == 0 {
		return Week{}, false // before the first entry
	}
	if i == len(r.weeks) && !monday.Before(addWeeks(r.weeks[i-1].Starts, lastEntryWeeks, r.loc)) {
		return Week{}, false // after the last entry ran out
	}
	return r.weeks[i-1], true
}

// Upcoming returns n shifts: the week that contains t and the n-1 after it.
func (r Roster) Upcoming(t time.Time, n int) []Shift {
	out := make([]Shift, 0, max(n, 0))
	start := weekStart(t, r.loc)
	for i := range n {
		s, _ := r.At(addWeeks(start, i, r.loc))
		out = append(out, s)
	}
	return out
}

// GapKind says what is wrong with a seat.
type GapKind int

const (
	GapNobody      GapKind = iota + 1 // nobody is assigned
	GapUnknownUser                    // the assigned user does not exist (any more)
)

// String names the kind of gap.
func (k GapKind) String() string {
	switch k {
	case GapNobody:
		return "nobody assigned"
	case GapUnknownUser:
		return "user does not exist"
	}
	return "unknown"
}

// Gap is a seat that needs a person: nobody is in it, or somebody who no
// longer exists.
type Gap struct {
	WeekStart time.Time
	Role      Role
	User      Username // for GapUnknownUser
	Kind      GapKind
}

// String is a line for the leads: "2026-11-30 backup: nobody assigned".
func (g Gap) String() string {
	if g.Kind == GapUnknownUser {
		return fmt.Sprintf("%s %s: @%s does not exist", g.WeekStart.Format(WeekLayout), g.Role, g.User)
	}
	return fmt.Sprintf("%s %s: %s", g.WeekStart.Format(WeekLayout), g.Role, g.Kind)
}

// Gaps returns the empty seats, and (when exists is not nil) the seats held
// by users that exists rejects, in the week that contains t and the
// horizon-1 weeks after it. exists must not do I/O: give it a set looked up
// beforehand.
func (r Roster) Gaps(t time.Time, horizon int, exists func(Username) bool) []Gap {
	var gaps []Gap
	for _, s := range r.Upcoming(t, horizon) {
		for _, role := range Roles {
			u := s.Who(role)
			switch {
			case u == "":
				gaps = append(gaps, Gap{WeekStart: s.WeekStart, Role: role, Kind: GapNobody})
			case exists != nil && !exists(u):
				gaps = append(gaps, Gap{WeekStart: s.WeekStart, Role: role, User: u, Kind: GapUnknownUser})
			}
		}
	}
	return gaps
}

// Users returns everybody on the roster in the week that contains t and the
// horizon-1 weeks after it, each once, sorted: the names to look up before
// calling Gaps.
func (r Roster) Users(t time.Time, horizon int) []Username {
	var us []Username
	for _, s := range r.Upcoming(t, horizon) {
		for _, role := range Roles {
			if u := s.Who(role); u != "" {
				us = append(us, u)
			}
		}
	}
	slices.Sort(us)
	return slices.Compact(us)
}

// Changers are who may change the rotation at t: the admins, the current
// lead and next week's lead, each once, in that order.
func (r Roster) Changers(admins []Username, t time.Time) []Username {
	now, _ := r.At(t)
	next, _ := r.At(r.NextBoundary(t))
	var out []Username
	for _, u := range append(slices.Clone(admins), now.Lead, next.Lead) {
		if u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// Mentions writes users as "@a, @b or @c".
func Mentions(us []Username) string {
	ms := make([]string, len(us))
	for i, u := range us {
		ms[i] = "@" + string(u)
	}
	if len(ms) <= 1 {
		return strings.Join(ms, "")
	}
	return strings.Join(ms[:len(ms)-1], ", ") + " or " + ms[len(ms)-1]
}

// ParseWeeks reads the week argument of override and swap as week starts:
// "this" (the week that contains now), "next", a Monday "2026-11-30", or a
// range of dates "2026-11-30..2026-12-13" (every week that touches it, at
// most maxWeekRange).
func (r Roster) ParseWeeks(s string, now time.Time) ([]time.Time, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "this", "current", "now", "this-week":
		return []time.Time{weekStart(now, r.loc)}, nil
	case "next", "next-week":
		return []time.Time{r.NextBoundary(now)}, nil
	}
	from, to, isRange := strings.Cut(s, "..")
	if !isRange {
		d, err := ParseWeekStart(s, r.loc)
		if err != nil {
			return nil, err
		}
		return []time.Time{d}, nil
	}
	a, errA := time.ParseInLocation(WeekLayout, strings.TrimSpace(from), r.loc)
	b, errB := time.ParseInLocation(WeekLayout, strings.TrimSpace(to), r.loc)
	if errA != nil || errB != nil || b.Before(a) {
		return nil, Errorf(EInvalid, "%q is not a range of dates: write it as 2026-11-30..2026-12-13, the earlier date first.", s)
	}
	var weeks []time.Time
	for w := weekStart(a, r.loc); !w.After(b); w = addWeeks(w, 1, r.loc) {
		if len(weeks) == maxWeekRange {
			return nil, Errorf(ETooLarge, "That range covers more than %d weeks; change at most %d at a time.", maxWeekRange, maxWeekRange)
		}
		weeks = append(weeks, w)
	}
	return weeks, nil
}

// Swap returns the overrides that swap a and b in the week that starts at
// monday: every seat a holds goes to b and every seat b holds goes to a.
// It is an EInvalid *Error when neither is on SET that week.
func (r Roster) Swap(monday time.Time, a, b Username) ([]Override, error) {
	s, _ := r.At(monday)
	week := s.Week()
	if a == b {
		return nil, Errorf(EInvalid, "Swapping @%s with themselves changes nothing: name two different people.", a)
	}
	var out []Override
	for _, role := range Roles {
		switch s.Who(role) {
		case a:
			out = append(out, Override{WeekStart: week, Role: role, User: b})
		case b:
			out = append(out, Override{WeekStart: week, Role: role, User: a})
		}
	}
	if len(out) == 0 {
		return nil, Errorf(EInvalid, "Neither @%s nor @%s is on SET in the week of %s, so there is nothing to swap.", a, b, week)
	}
	return out, nil
}
