package setbot

import (
	"fmt"
	"strings"
	"time"
)

// Hours are the weekly hours a clock runs in ([watch] hours), read in a
// time zone: some weekdays, from one time of day to another. The zero
// Hours run always.
type Hours struct {
	days     [7]bool       // by time.Weekday
	from, to time.Duration // since midnight, from < to
	set      bool
}

// ParseHours reads "Mon-Fri 08:00-18:00" (a day, a range of days, or a
// comma list of either, then a time range); "" runs always.
func ParseHours(s string) (Hours, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Hours{}, nil
	}
	bad := Errorf(EInvalid, "%q is not like \"Mon-Fri 08:00-18:00\" (days, then a time range in 24-hour time), or \"\" for always.", s)
	days, times, ok := strings.Cut(s, " ")
	if !ok {
		return Hours{}, bad
	}
	var h Hours
	for _, part := range strings.Split(strings.ToLower(days), ",") {
		a, b, isRange := strings.Cut(part, "-")
		i, j := dayIndex(a), dayIndex(b)
		if !isRange {
			j = i
		}
		if i < 0 || j < 0 {
			return Hours{}, bad
		}
		for d := i; ; d = (d + 1) % 7 { // Fri-Mon wraps over the weekend
			h.days[d] = true
			if d == j {
				break
			}
		}
	}
	from, to, ok := strings.Cut(strings.TrimSpace(times), "-")
	f, err1 := time.Parse("15:04", strings.TrimSpace(from))
	t, err2 := time.Parse("15:04", strings.TrimSpace(to))
	if !ok || err1 != nil || err2 != nil {
		return Hours{}, bad
	}
	h.from = time.Duration(f.Hour())*time.Hour + time.Duration(f.Minute())*time.Minute
	h.to = time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	if t.Hour() == 0 && t.Minute() == 0 {
		h.to = 24 * time.Hour // "…-00:00" runs to midnight
	}
	if h.from >= h.to {
		return Hours{}, Errorf(EInvalid, "%q: the hours must start before they end (overnight hours are not supported).", s)
	}
	h.set = true
	return h, nil
}

// dayIndex is the weekday named s (full or its first three letters), or -1.
func dayIndex(s string) int {
	if d, ok := weekdayNames[strings.TrimSpace(s)]; ok {
		return int(d)
	}
	return -1
}

// String is the hours as ParseHours reads them, roughly ("always" when unset).
func (h Hours) String() string {
	if !h.set {
		return "always"
	}
	var days []string
	for i, on := range h.days {
		if on {
			days = append(days, time.Weekday(i).String()[:3])
		}
	}
	clock := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return strings.Join(days, ",") + " " + clock(h.from) + "-" + clock(h.to)
}

// Always reports whether the clock runs at every hour.
func (h Hours) Always() bool { return !h.set }

// Add returns the moment at which d of running time has passed since
// start, counting only within h in loc. Each day's hours are wall-clock
// times of that day, so a daylight-saving change moves them with the
// clocks (a day's window may be an hour shorter or longer in absolute
// time, never shifted).
func (h Hours) Add(start time.Time, d time.Duration, loc *time.Location) time.Time {
	if !h.set {
		return start.Add(d)
	}
	local := start.In(loc)
	y, m, day := local.Date()
	for i := 0; i < 8*366; i++ { // a year of days is plenty; hours with no day are refused by ParseHours
		date := time.Date(y, m, day+i, 0, 0, 0, 0, loc)
		if !h.days[date.Weekday()] {
			continue
		}
		open := wallClock(date, h.from, loc)
		shut := wallClock(date, h.to, loc)
		if open.Before(start) {
			open = start
		}
		if !open.Before(shut) {
			continue
		}
		if left := shut.Sub(open); d <= left {
			return open.Add(d)
		} else {
			d -= left
		}
	}
	return start.Add(d) // unreachable for hours ParseHours made
}

// wallClock is the time of day off (since midnight, as on a clock) on
// date in loc.
func wallClock(date time.Time, off time.Duration, loc *time.Location) time.Time {
	y, m, d := date.Date()
	return time.Date(y, m, d, int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, loc)
}
