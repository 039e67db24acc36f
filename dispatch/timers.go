package dispatch

import (
	"context"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// Housekeeping bounds.
const (
	// seenRetention is how long handled-post marks are kept unless
	// Config.Retention ([store] retention) says otherwise; posts older than
	// this are never replayed by the server or by catch-up.
	seenRetention = DefaultRetention
	// pageRetention is how long a page is kept after it was made: its
	// ladder (three steps of [escalation] ack_within) has long ended, and
	// `@setbot ack` no longer finds it.
	pageRetention = DefaultRetention
	pruneEvery    = 6 * time.Hour
)

// collectBlobs deletes stored uploads that no intake or job needs any more.
func (d *core) collectBlobs() {
	if n, err := d.db.CollectBlobs(); err != nil {
		d.log.Error().Err(err).Msg("collect unused uploads")
	} else if n > 0 {
		d.log.Info().Int("removed", n).Msg("deleted uploads no intake needs any more")
	}
}

// runTimers does the time-driven work every tick until ctx ends: the
// channel header at week boundaries, the paging ladder, housekeeping.
func (d *Dispatcher) runTimers(ctx context.Context) {
	t := time.NewTimer(d.c.cfg.Tick)
	defer t.Stop()
	var pruneAt time.Time // zero: due at once
	features := d.c.features()
	for {
		now := d.c.now()
		for _, f := range features {
			f.tick(ctx, now)
		}
		if !now.Before(pruneAt) {
			d.c.prune(now)
			pruneAt = now.Add(pruneEvery)
		}
		d.c.ext.Meter.TimerPass(now)
		t.Reset(d.c.untilNextPass())
		select {
		case <-ctx.Done():
			return
		case <-d.c.headerDue:
			d.c.rotation.headerAt = time.Time{} // the timer loop alone reads it
		case <-d.c.timerDue:
		case <-t.C:
		}
	}
}

// refreshHeaderSoon asks the timer loop to refresh the header now.
func (d *rotation) refreshHeaderSoon() {
	select {
	case d.headerDue <- struct{}{}:
	default:
	}
}

// refreshHeader keeps setbot's segment of the ~sustained-engineering header
// current and returns when to look again: the next week boundary, or soon
// when it failed.
func (d *rotation) refreshHeader(ctx context.Context) time.Time {
	retry := d.now().Add(time.Minute)
	ro, err := d.roster()
	if err != nil {
		d.log.Error().Err(err).Msg("header: roster")
		return retry
	}
	s, _ := ro.At(d.now())
	cur, err := d.chat.Header(ctx, d.cfg.SETChannel)
	if err != nil {
		d.log.Warn().Err(err).Msg("header: read")
		return retry
	}
	next, err := setbot.HeaderWithSegment(cur, s)
	if err != nil {
		d.log.Warn().Str("error", setbot.ErrorMessage(err)).Msg("header: no room for the SET segment")
		return ro.NextBoundary(d.now())
	}
	if next != cur {
		if err := d.chat.SetHeader(ctx, d.cfg.SETChannel, next); err != nil {
			d.log.Warn().Err(err).Msg("header: write")
			return retry
		}
		d.log.Info().Str("week", s.Week()).Msg("header: SET segment updated")
	}
	return ro.NextBoundary(d.now())
}

func (d *core) prune(now time.Time) {
	if n, err := d.db.PruneSeen(now.Add(-d.cfg.Retention)); err != nil {
		d.log.Error().Err(err).Msg("prune handled marks")
	} else if n > 0 {
		d.log.Info().Int("removed", n).Msg("pruned handled marks")
	}
	if n, err := d.db.PrunePages(now.Add(-pageRetention)); err != nil {
		d.log.Error().Err(err).Msg("prune pages")
	} else if n > 0 {
		d.log.Info().Int("removed", n).Msg("pruned old pages")
	}
	d.collectBlobs()
	if _, err := d.db.PruneWeekLog(now.Add(-store.WeekLogKeep)); err != nil {
		d.log.Error().Err(err).Msg("prune the week log")
	}
	if _, err := d.db.PruneRecords(now.Add(-setbot.RecordKeep).Format(setbot.WeekLayout)); err != nil {
		d.log.Error().Err(err).Msg("prune week records")
	}
	// Notices and resolved incidents live as long as pages: the reminders,
	// steps and reports they guard are over by then. Watched posts live at
	// least as long as handled marks, so catch-up never watches one anew.
	for _, p := range []struct {
		what  string
		prune func(time.Time) (int, error)
	}{{"notices", d.db.PruneNotices}, {"resolved incidents", d.db.PruneIncidents}, {"watched posts", d.db.PruneWatched}} {
		if n, err := p.prune(now.Add(-max(pageRetention, d.cfg.Retention))); err != nil {
			d.log.Error().Err(err).Msg("prune " + p.what)
		} else if n > 0 {
			d.log.Info().Int("removed", n).Msg("pruned " + p.what)
		}
	}
}

// passSoon asks the timer loop for a pass now. Safe for concurrent use.
func (d *core) passSoon() {
	select {
	case d.timerDue <- struct{}{}:
	default:
	}
}

// untilNextPass is how long the timer loop sleeps: a tick, or less when a
// page's next step is due sooner, so that steps go out on time rather
// than up to a tick late.
func (d *core) untilNextPass() time.Duration {
	wait := d.cfg.Tick
	if due := d.paging.nextDue; !due.IsZero() {
		wait = min(wait, max(due.Sub(d.now()), 0))
	}
	return wait
}
