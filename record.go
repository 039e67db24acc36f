package setbot

import "time"

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
