// Package calendar serves the SET rotation as an iCalendar (RFC 5545) feed
// people can subscribe to. It is the only importer of golang-ical.
package calendar

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
)

// The feed covers the past pastWeeks weeks and the next nextWeeks weeks
// (the current week included).
const (
	pastWeeks = 4
	nextWeeks = 26
)

// roles in the order a week's events are listed.
var roles = []setbot.Role{setbot.RoleLead, setbot.RolePrimary, setbot.RoleBackup}

// Feed is the iCalendar text of shifts in loc: one all-day event per held
// seat per week, "SET primary: @alice", with a UID stable across fetches
// (the week and the seat), so an override updates the event in place.
// When user is not "", only that person's seats are included.
func Feed(shifts []setbot.Shift, loc *time.Location, user setbot.Username, now time.Time) string {
	cal := ics.NewCalendarFor("setbot")
	cal.SetMethod(ics.MethodPublish)
	name := "SET rotation"
	if user != "" {
		name += ": @" + string(user)
	}
	cal.SetXWRCalName(name)
	cal.SetXWRTimezone(loc.String())
	for _, s := range shifts {
		for _, role := range roles {
			who := s.Who(role)
			if who == "" || (user != "" && who != user) {
				continue
			}
			e := cal.AddEvent(s.Week() + "-" + role.String() + "@setbot")
			e.SetDtStampTime(now)
			e.SetAllDayStartAt(s.WeekStart.In(loc))
			e.SetAllDayEndAt(s.WeekEnd.In(loc))
			e.SetSummary("SET " + role.String() + ": @" + string(who))
			e.SetDescription("The week of " + s.Week() + " (" + loc.String() + ").")
		}
	}
	return cal.Serialize()
}

// Handler serves GET /calendar/{file}, where file is "<token>.ics";
// ?user=alice narrows it to one person. Any other token gets a 404, and
// the token is never logged.
type Handler struct {
	Token  string
	Roster func() (setbot.Roster, error) // the rotation with its overrides, read per request
	Now    func() time.Time
	Log    zerolog.Logger
}

// Route is the pattern Handler is mounted on.
const Route = "GET /calendar/{file}"

func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok || h.Token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(h.Token)) != 1 {
		http.NotFound(w, r)
		return
	}
	ro, err := h.Roster()
	if err != nil {
		h.Log.Error().Err(err).Msg("calendar feed: reading the rotation failed")
		http.Error(w, "The rotation cannot be read right now; try again in a minute.", http.StatusServiceUnavailable)
		return
	}
	user := setbot.Username(strings.ToLower(strings.TrimPrefix(strings.TrimSpace(r.URL.Query().Get("user")), "@")))
	now := h.Now()
	shifts := ro.Upcoming(now.In(ro.Location()).AddDate(0, 0, -7*pastWeeks), pastWeeks+nextWeeks)
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(Feed(shifts, ro.Location(), user, now)))
}
