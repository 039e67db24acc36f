package dispatch

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// The incidents list, and the Snooze button of reminders.

// quoteName names a person without mentioning them.
func quoteName(u setbot.Username) string {
	if u == "" {
		return "someone"
	}
	return "@\u200d" + string(u)
}

// listReserve keeps room in the incidents list for its header and the
// "and N more" line, within a post's limit (setbot.MaxPostRunes).
const listReserve = 200

// runListIncidents is "incidents": open incidents by key, with the age of
// each last update, cut to fit one post.
func runListIncidents(_ context.Context, d *core, r request) (outcome, error) {
	open, err := d.db.OpenIncidents()
	if err != nil {
		return outcome{}, err
	}
	var o outcome
	o.say(d.replyTo(r.msg, incidentList(open, d.now())))
	return o, nil
}

// incidentList formats the list, oldest news first so that the most
// overdue incident leads.
func incidentList(open []setbot.Incident, now time.Time) string {
	if len(open) == 0 {
		return "No incidents are tracked. `@setbot incident KEY` tracks one."
	}
	sort.Slice(open, func(i, j int) bool {
		a, b := newsOf(open[i]), newsOf(open[j])
		if !a.Equal(b) {
			return a.Before(b)
		}
		return open[i].Key < open[j].Key
	})
	var b strings.Builder
	fmt.Fprintf(&b, "Tracked incidents (%d):", len(open))
	runes := 0
	for i, in := range open {
		line := "\n- " + setbot.IncidentLine(in, now)
		if runes+len([]rune(line)) > setbot.MaxPostRunes-listReserve {
			fmt.Fprintf(&b, "\n… and %d more.", len(open)-i)
			break
		}
		runes += len([]rune(line))
		b.WriteString(line)
	}
	return b.String()
}

// newsOf is when an incident last had news: its last update, else when it
// was tracked.
func newsOf(in setbot.Incident) time.Time {
	if in.LastUpdate.After(in.Opened) {
		return in.LastUpdate
	}
	return in.Opened
}

// isSnooze reports whether a click's action belongs to a reminder.
func isSnooze(action string) bool {
	_, _, ok := setbot.ParseSnoozeAction(action)
	return ok
}

// clickSnooze handles a reminder's Snooze button: reminders wait, and the
// place of the reminders says who snoozed them until when.
func (d *incidents) clickSnooze(ctx context.Context, c setbot.Click) string {
	key, length, _ := setbot.ParseSnoozeAction(c.Action)
	if err := d.checkIncidentRight(ctx, c.UserID, key, false); err != nil {
		return setbot.ErrorMessage(err)
	}
	now := d.now()
	until := now.Add(length)
	err := d.db.Update(now, func(tx *store.Tx) error {
		if _, err := tx.Snooze(key, until); err != nil {
			return err
		}
		text := fmt.Sprintf("%s snoozed the reminders of %s for %s, until %s.", quoteName(c.Username), key,
			setbot.FormatAge(length), until.In(d.cfg.Rotation.Location).Format("15:04 MST"))
		return enqueueIncidentPost(tx, incidentPost{Key: key, Where: whereIncident, Text: text})
	})
	if err != nil {
		if setbot.ErrorCode(err) == setbot.EInternal {
			d.log.Error().Err(err).Str("issue", string(key)).Msg("snooze")
		}
		return setbot.ErrorMessage(err)
	}
	d.log.Info().Str("issue", string(key)).Str("by", string(c.Username)).Dur("for", length).Msg("incident reminders snoozed")
	d.kick()
	return fmt.Sprintf("Snoozed %s for %s.", key, setbot.FormatAge(length))
}
