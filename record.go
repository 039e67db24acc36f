package setbot

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// WeekRecord is one rotation week's figures, stored when the week ends and
// kept for RecordKeep (issue 16): what the team filed, how fast it
// answered, whether urgent incidents got their daily update, how pages
// went, and what was stale at hand-over. Persisted as JSON; fields only
// ever grow.
type WeekRecord struct {
	// Week is the week's Monday in the rotation's time zone, WeekLayout.
	Week string `json:"week"`
	// Filed counts the tickets setbot filed that week, by level: index 0
	// is "no level", 1–4 are L1–L4.
	Filed [5]int `json:"filed"`
	// FirstResponse is the time to the first SET response: from the
	// first-response watch where a post was watched, else from intake
	// confirmation to the primary's first thread reply.
	FirstResponse Spread `json:"first_response"`
	// IncidentDays counts the days an L1/L2 incident was open that week;
	// UpdatedDays those of them that had a status update.
	IncidentDays int `json:"incident_days"`
	UpdatedDays  int `json:"updated_days"`
	// Pages counts the pages sent that week; Ack is the time to
	// acknowledge those acknowledged.
	Pages int    `json:"pages"`
	Ack   Spread `json:"ack"`
	// StaleAtHandover counts the tickets stale when the week was handed
	// over; -1 when Jira could not be read then.
	StaleAtHandover int `json:"stale_at_handover"`
}

// Spread summarises durations: how many, their median and 90th percentile.
// N == 0: nothing was measured, and Median and P90 are zero.
type Spread struct {
	N      int           `json:"n"`
	Median time.Duration `json:"median"`
	P90    time.Duration `json:"p90"`
}

// RecordKeep is how long week records are kept: two years, by the issue
// that asked for them.
const RecordKeep = 2 * 365 * 24 * time.Hour

// FiledTotal is how many tickets were filed that week, all levels.
func (r WeekRecord) FiledTotal() int {
	n := 0
	for _, c := range r.Filed {
		n += c
	}
	return n
}

// Compliance is the share of incident-days with an update, 0–1, and
// whether there were any incident-days to measure.
func (r WeekRecord) Compliance() (float64, bool) {
	if r.IncidentDays == 0 {
		return 0, false
	}
	return float64(r.UpdatedDays) / float64(r.IncidentDays), true
}

// FiledTicket is a ticket setbot filed, as the week records count it.
type FiledTicket struct {
	Key   IssueKey
	Level Priority
	At    time.Time
}

// WeekFacts are what a week's record is computed from: the week (its
// Monday, midnight in the rotation's zone), until when it is counted (its
// end, or now for the week so far), and what setbot kept about it.
type WeekFacts struct {
	Week  time.Time
	Until time.Time
	Filed []FiledTicket
	// Watched are the first-response watch's posts in
	// ~sustained-engineering.
	Watched   []Watched
	Incidents []Incident
	// Updates are every recorded status update, by incident.
	Updates map[IssueKey][]time.Time
	Pages   []Page
	// StaleAtHandover is the stale count of the week's hand-over, -1 when
	// unknown.
	StaleAtHandover int
}

// Record computes the week's figures from its facts:
//   - Filed counts the filings in the week;
//   - FirstResponse spans the watched posts made in the week that SET
//     answered, from the post to the answer (wall-clock time);
//   - an incident-day is a day of the week (in the week's zone, up to
//     Until) on which an incident was tracked and not resolved for some
//     of it; it counts as updated when a status update was recorded that
//     day, or the incident was opened that day (its report is the first
//     status);
//   - Pages counts the pages made in the week; Ack spans those
//     acknowledged, from the page to the acknowledgement.
func (f WeekFacts) Record() WeekRecord {
	end := f.Week.AddDate(0, 0, 7)
	until := end
	if !f.Until.IsZero() && f.Until.Before(end) {
		until = f.Until
	}
	in := func(t time.Time) bool { return !t.Before(f.Week) && t.Before(until) }
	r := WeekRecord{Week: f.Week.Format(WeekLayout), StaleAtHandover: f.StaleAtHandover}
	for _, t := range f.Filed {
		if in(t.At) {
			r.Filed[max(0, min(int(t.Level), int(L4)))]++
		}
	}
	var waits []time.Duration
	for _, w := range f.Watched {
		if in(w.At) && w.Answered && !w.AnsweredAt.IsZero() {
			waits = append(waits, w.AnsweredAt.Sub(w.At))
		}
	}
	r.FirstResponse = Spreads(waits)
	r.IncidentDays, r.UpdatedDays = f.incidentDays(until)
	var acks []time.Duration
	for _, p := range f.Pages {
		if !in(p.Created) {
			continue
		}
		r.Pages++
		if p.Acked() && !p.AckedAt.IsZero() {
			acks = append(acks, p.AckedAt.Sub(p.Created))
		}
	}
	r.Ack = Spreads(acks)
	return r
}

// incidentDays counts the week's incident-days up to until, and those
// with an update.
func (f WeekFacts) incidentDays(until time.Time) (days, updated int) {
	for d := 0; d < 7; d++ {
		from, to := f.Week.AddDate(0, 0, d), f.Week.AddDate(0, 0, d+1)
		if !from.Before(until) {
			break
		}
		within := func(t time.Time) bool { return !t.IsZero() && !t.Before(from) && t.Before(to) }
		for _, in := range f.Incidents {
			if !in.Opened.Before(to) || in.Resolved && !in.ResolvedAt.After(from) {
				continue // not yet tracked, or resolved before the day
			}
			days++
			ok := within(in.Opened) || within(in.LastUpdate)
			for _, t := range f.Updates[in.Key] {
				ok = ok || within(t)
			}
			if ok {
				updated++
			}
		}
	}
	return days, updated
}

// Spreads summarises ds: their count, median and 90th percentile, by the
// nearest-rank method (the value at or below which that share of them
// falls).
func Spreads(ds []time.Duration) Spread {
	if len(ds) == 0 {
		return Spread{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := func(p float64) time.Duration { return s[max(0, int(math.Ceil(p*float64(len(s))))-1)] }
	return Spread{N: len(s), Median: rank(0.5), P90: rank(0.9)}
}

// RecordTable writes records (oldest first) as a Markdown table, one row
// per week.
func RecordTable(recs []WeekRecord) []string {
	out := []string{
		"| week | tickets filed (L1/L2/L3/L4/none) | first SET response: median, p90 (posts) | L1/L2 days updated | pages, median ack | stale at hand-over |",
		"| --- | --- | --- | --- | --- | --- |",
	}
	for _, r := range recs {
		f := r.Filed
		filed := fmt.Sprintf("%d (%d/%d/%d/%d/%d)", r.FiledTotal(), f[L1], f[L2], f[L3], f[L4], f[PriorityUnset])
		resp := "–"
		if r.FirstResponse.N > 0 {
			resp = fmt.Sprintf("%s, %s (%d)", FormatAge(r.FirstResponse.Median), FormatAge(r.FirstResponse.P90), r.FirstResponse.N)
		}
		comp := "no incidents"
		if c, ok := r.Compliance(); ok {
			comp = fmt.Sprintf("%d of %d (%.0f%%)", r.UpdatedDays, r.IncidentDays, 100*c)
		}
		pages := fmt.Sprint(r.Pages)
		if r.Ack.N > 0 {
			pages += ", " + FormatAge(r.Ack.Median)
		}
		stale := "–"
		if r.StaleAtHandover >= 0 {
			stale = fmt.Sprint(r.StaleAtHandover)
		}
		out = append(out, fmt.Sprintf("| %s | %s | %s | %s | %s | %s |", r.Week, filed, resp, comp, pages, stale))
	}
	return out
}
