package setbot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The SET weekly cycle (the seed's "SET Weekly Cycle"): at the start of the
// week every ongoing issue gets an owner on the current team, and by Friday
// the incoming team takes them over. setbot posts one report for each.

// ReportKind is one of the weekly cycle's reports. Persisted as its name;
// values only ever grow.
type ReportKind int

const (
	ReportNone     ReportKind = iota
	ReportStart               // start of the week: every open ticket has an owner on this week's team
	ReportHandover            // Friday hand-over: the incoming team takes the open tickets over
)

// ReportKinds lists the reports in the order of the week.
var ReportKinds = [...]ReportKind{ReportStart, ReportHandover}

// String returns "start", "handover" or "none".
func (k ReportKind) String() string {
	switch k {
	case ReportStart:
		return "start"
	case ReportHandover:
		return "handover"
	}
	return "none"
}

// ParseReportKind accepts "start" and "handover" (also "hand-over").
func ParseReportKind(s string) (ReportKind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "start", "week":
		return ReportStart, nil
	case "handover", "hand-over":
		return ReportHandover, nil
	}
	return ReportNone, Errorf(EInvalid, "%q is not a report: say `report` for the start-of-week report or `report handover` for the hand-over.", s)
}

// MarshalText implements encoding.TextMarshaler.
func (k ReportKind) MarshalText() ([]byte, error) {
	if k != ReportStart && k != ReportHandover {
		return nil, fmt.Errorf("invalid report kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *ReportKind) UnmarshalText(b []byte) error {
	v, err := ParseReportKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// ReportTime is a time of the week: a weekday and a wall-clock time in the
// rotation's time zone.
type ReportTime struct {
	Day    time.Weekday
	Hour   int
	Minute int
}

// The default report times ([reports] in the README): the start of the
// working week, and Friday early enough that the hand-over happens "by
// Friday end of day" (the seed).
var (
	DefaultStartReport    = ReportTime{Day: time.Monday, Hour: 9}
	DefaultHandoverReport = ReportTime{Day: time.Friday, Hour: 14}
)

var weekdayNames = map[string]time.Weekday{}

func init() {
	for d := time.Sunday; d <= time.Saturday; d++ {
		long := strings.ToLower(d.String())
		weekdayNames[long] = d
		weekdayNames[long[:3]] = d
	}
}

// ParseReportTime reads "Mon 09:00" (a weekday, full or its first three
// letters, in any case, and a 24-hour time).
func ParseReportTime(s string) (ReportTime, error) {
	bad := Errorf(EInvalid, "%q is not a time of the week: write a weekday and a 24-hour time, like \"Mon 09:00\" or \"Friday 14:30\".", s)
	f := strings.Fields(s)
	if len(f) != 2 {
		return ReportTime{}, bad
	}
	day, ok := weekdayNames[strings.ToLower(f[0])]
	hh, mm, found := strings.Cut(f[1], ":")
	h, errH := strconv.Atoi(hh)
	m, errM := strconv.Atoi(mm)
	if !ok || !found || errH != nil || errM != nil || h < 0 || h > 23 || m < 0 || m > 59 || len(mm) != 2 {
		return ReportTime{}, bad
	}
	return ReportTime{Day: day, Hour: h, Minute: m}, nil
}

// String writes the time as ParseReportTime reads it: "Mon 09:00".
func (rt ReportTime) String() string {
	return fmt.Sprintf("%s %02d:%02d", rt.Day.String()[:3], rt.Hour, rt.Minute)
}

// In is the report's time in the SET week (Monday to Sunday) that contains
// t, in loc. It counts calendar days, so a week with a daylight-saving
// switch still has its report at the same wall-clock time; a wall time the
// switch skips is read as time.Date does (the same day, an hour off).
func (rt ReportTime) In(t time.Time, loc *time.Location) time.Time {
	monday := weekStart(t, loc)
	offset := (int(rt.Day) + 6) % 7 // days after Monday
	y, m, d := monday.Date()
	return time.Date(y, m, d+offset, rt.Hour, rt.Minute, 0, 0, loc)
}

// ReportReason says why DueReport decided what it did; it is logged with
// every report. Values only ever grow.
type ReportReason int

const (
	ReportNotYet ReportReason = iota // this week's time has not come
	ReportOnTime                     // its time has come: post it
	ReportLate                       // its time passed earlier today (setbot was down): post it late
	ReportSent                       // this week's report was claimed already
	ReportMissed                     // its day is over: this week's report is not posted any more
)

var reportReasonNames = [...]string{
	ReportNotYet: "not yet", ReportOnTime: "on time", ReportLate: "late, same day",
	ReportSent: "already sent this week", ReportMissed: "missed: its day is over",
}

// String names the reason for logs.
func (r ReportReason) String() string {
	if r < 0 || int(r) >= len(reportReasonNames) {
		return fmt.Sprintf("ReportReason(%d)", int(r))
	}
	return reportReasonNames[r]
}

// ReportOnTimeWithin is how long after its time a report still counts as on
// time (the timer ticks every few seconds; setbot's own choice).
const ReportOnTimeWithin = 5 * time.Minute

// ReportDecision is DueReport's answer.
type ReportDecision struct {
	Due    bool
	Reason ReportReason
	Week   string    // the week the report is for ("2026-03-02")
	At     time.Time // this week's time of the report
	Next   time.Time // when the answer can change next
}

// DueReport decides whether the report at rt is due at now. sentWeek is the
// week ("YYYY-MM-DD") of the last report of this kind claimed, "" if none.
// A report is due from its time to the end of that day: a report missed
// while setbot was down is posted late the same day, never on a later day,
// and never twice in a week.
func DueReport(rt ReportTime, loc *time.Location, now time.Time, sentWeek string) ReportDecision {
	at := rt.In(now, loc)
	week := weekStart(now, loc).Format(WeekLayout)
	dec := ReportDecision{Week: week, At: at, Next: rt.In(addWeeks(weekStart(now, loc), 1, loc), loc)}
	y, m, d := at.Date()
	endOfDay := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	switch {
	case sentWeek >= week:
		dec.Reason = ReportSent
	case now.Before(at):
		dec.Reason, dec.Next = ReportNotYet, at
	case !now.Before(endOfDay):
		dec.Reason = ReportMissed
	case now.Sub(at) <= ReportOnTimeWithin:
		dec.Due, dec.Reason = true, ReportOnTime
	default:
		dec.Due, dec.Reason = true, ReportLate
	}
	return dec
}
