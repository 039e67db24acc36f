package setbot

import (
	"slices"
	"time"
)

// Pattern is the rotation as the SET process runs it: engineers rotate in
// two-week cycles, one week as backup and then one week as primary, and a
// lead serves LeadWeeks weeks in turn. Week k is the number of weeks since
// Starts; with n members and m leads:
//
//	primary = Members[k mod n]
//	backup  = Members[(k+1) mod n]   (so this week's backup is next week's primary)
//	lead    = Leads[(k / LeadWeeks) mod m]
//
// Weeks before Starts have nobody from the pattern.
type Pattern struct {
	Members   []Username
	Leads     []Username
	Starts    time.Time // a Monday 00:00 in the rotation's time zone
	LeadWeeks int       // at least 1
}

// validate reports what is wrong with p, naming the key.
func (p Pattern) validate(loc *time.Location) error {
	switch {
	case len(p.Members) == 0:
		return Errorf(EInvalid, "[rotation] members is empty: list the SET engineers in rotation order.")
	case !p.Starts.Equal(weekStart(p.Starts, loc)):
		return Errorf(EInvalid, "[rotation] starts %s is not a Monday.", p.Starts.Format(WeekLayout))
	case p.LeadWeeks < 1:
		return Errorf(EInvalid, "[rotation] lead_weeks must be at least 1, got %d.", p.LeadWeeks)
	}
	for _, u := range append(append([]Username(nil), p.Members...), p.Leads...) {
		if u == "" {
			return Errorf(EInvalid, "[rotation] members and leads may not hold an empty name.")
		}
	}
	return nil
}

// week is the pattern's seats in the week starting at monday.
func (p Pattern) week(monday time.Time, loc *time.Location) (Week, bool) {
	k := weeksBetween(p.Starts, monday, loc)
	if k < 0 {
		return Week{}, false
	}
	n := len(p.Members)
	w := Week{Starts: monday, Primary: p.Members[k%n], Backup: p.Members[(k+1)%n]}
	if n == 1 {
		w.Backup = "" // one member cannot back themselves up
	}
	if m := len(p.Leads); m > 0 {
		w.Lead = p.Leads[(k/p.LeadWeeks)%m]
	}
	return w, true
}

// weeksBetween counts whole weeks from monday a to monday b by calendar
// date, so that a daylight-saving change (a 167- or 169-hour week) does
// not shift it.
func weeksBetween(a, b time.Time, loc *time.Location) int {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	days := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC).Sub(time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)).Hours() / 24
	return int(days) / 7
}

// Seat sources, as SeatSource reports them.
const (
	SourceOverride  = "override"
	SourceWeekEntry = "week entry"
	SourcePattern   = "pattern"
)

// SeatSource says where a week's seat comes from (SourceOverride, with who
// made it when known; SourceWeekEntry; SourcePattern) or "" when nobody
// holds it.
func (r Roster) SeatSource(monday time.Time, role Role) (source string, by Username) {
	monday = weekStart(monday, r.loc)
	for _, o := range slices.Backward(r.overrides[monday.Format(WeekLayout)]) {
		if o.Role == role { // the last override of a seat is the one in force
			return SourceOverride, o.By
		}
	}
	if w, ok := r.configured(monday); ok && w.Seat(role) != "" {
		return SourceWeekEntry, ""
	}
	if r.pattern != nil {
		if w, ok := r.pattern.week(monday, r.loc); ok && w.Seat(role) != "" {
			return SourcePattern, ""
		}
	}
	return "", ""
}

// WithPattern returns the roster with p filling every week that has no
// [[rotation.week]] entry of its own (with a pattern, an entry covers only
// its week). Overrides still win over both.
func (r Roster) WithPattern(p *Pattern) (Roster, error) {
	if p == nil {
		return r, nil
	}
	if err := p.validate(r.loc); err != nil {
		return Roster{}, err
	}
	r.pattern = p
	return r, nil
}
