package main

import (
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot/metrics"
	"github.com/setbot/setbot/store"
)

// newMetrics is the registry served at /metrics: the dispatcher counts into
// it (dispatch.Extensions.Meter), and the outbox is read from the store at
// every scrape, as are the watch's unanswered posts in setChannel (its
// name). The websocket is watched once the listener exists.
func newMetrics(log zerolog.Logger, db *store.DB, now func() time.Time, setChannel string) *metrics.Registry {
	reg := metrics.New(log)
	reg.WatchOutbox(func() (int, time.Time, error) {
		s, err := db.OutboxStats()
		return s.Jobs, s.Oldest, err
	}, now)
	reg.WatchStore(db.SizeBytes, db.DeadLetters)
	reg.WatchUnanswered(setChannel, db.Overdue)
	return reg
}
