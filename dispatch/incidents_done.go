package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// doneSweepEvery is how often the tickets of all open incidents are asked
// whether they are done, besides when a reminder is due: a ticket closed
// in Jira stops its reminders within half an hour even when none is due.
const doneSweepEvery = 30 * time.Minute

// sweepDone stops tracking, every doneSweepEvery, the incidents whose
// tickets are Done in Jira. A Jira outage ends the sweep early; the next
// one tries again.
func (d *incidents) sweepDone(ctx context.Context) {
	now := d.now()
	if d.ext.Tracker == nil || now.Before(d.nag.doneAt) {
		return
	}
	d.nag.doneAt = now.Add(doneSweepEvery)
	open, err := d.db.OpenIncidents()
	if err != nil {
		d.log.Error().Err(err).Msg("incidents: read open incidents for the done sweep")
		return
	}
	down := false
	for _, in := range open {
		if d.stopIfDone(ctx, in, &down); down {
			return
		}
	}
}

// stopIfDone resolves in when its ticket is Done in Jira, with one note in
// the incident's thread, and reports whether it did. When Jira does not
// answer, *down is set and in stays tracked: an outage never hides a
// reminder.
func (d *incidents) stopIfDone(ctx context.Context, in setbot.Incident, down *bool) bool {
	if d.ext.Tracker == nil || *down {
		return false
	}
	qctx, cancel := context.WithTimeout(ctx, jiraTimeout)
	is, err := d.ext.Tracker.Get(qctx, in.Key)
	cancel()
	if err != nil {
		*down = setbot.ErrorCode(err) != setbot.ENotFound
		d.log.Warn().Err(err).Str("issue", string(in.Key)).Msg("incidents: could not ask Jira whether the ticket is done")
		return false
	}
	if !is.Done {
		return false
	}
	err = d.db.Update(d.now(), func(tx *store.Tx) error {
		_, changed, err := tx.ResolveIncident(in.Key)
		if err != nil || !changed {
			return err
		}
		note := fmt.Sprintf("%s is %s in Jira, so I stopped tracking it: no more reminders.", in.Key, quoteInline(is.Status))
		return enqueueIncidentPost(tx, incidentPost{Key: in.Key, Where: whereThread, Text: note})
	})
	if err != nil {
		d.log.Error().Err(err).Str("issue", string(in.Key)).Msg("incidents: stop tracking a done ticket")
		return false
	}
	d.log.Info().Str("issue", string(in.Key)).Str("status", is.Status).Msg("incidents: ticket done in Jira; tracking stopped")
	d.kick()
	return true
}
