package dispatch

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// Each rotation week's record (issue 16): when a week ends its figures are
// stored; the hand-over report adds the outgoing week's so far, and
// `@setbot stats [weeks]` posts the last weeks' with a chart.

// ChartFunc draws week records (oldest first) as a PNG (package chart).
type ChartFunc func(recs []setbot.WeekRecord) ([]byte, error)

// jobStats answers `@setbot stats`. Payload: statsJob. Persisted: never
// rename.
const jobStats = "stats"

// Bounds of the week records.
const (
	defaultStatsWeeks = 8  // the chart's span, by the issue that asked for it
	maxStatsWeeks     = 52 // a year: a longer table does not fit one post
	chartName         = "set-weeks.png"
)

type statsJob struct {
	Channel setbot.ChannelID `json:"channel"`
	Root    setbot.PostID    `json:"root"`
	Weeks   int              `json:"weeks"`
}

// recordWeek stores last week's record once it has ended, unless it has
// one or setbot's store did not exist yet then. The timer calls it; it
// reads only the store.
func (d *cycle) recordWeek(now time.Time) {
	ro, err := d.roster()
	if err != nil {
		return
	}
	last := ro.WeekOf(now).AddDate(0, 0, -7)
	week := last.Format(setbot.WeekLayout)
	if ok, err := d.db.HasRecord(week); ok || err != nil {
		return
	}
	if created, err := d.db.Created(); err != nil || !created.Before(last.AddDate(0, 0, 7)) {
		return // setbot was not running that week: no record, rather than a false one
	}
	log, err := d.db.WeekLog()
	if err != nil {
		d.log.Error().Err(err).Msg("week record: read the week log")
		return
	}
	stale, ok := log.Stale[week]
	if !ok {
		stale = -1
	}
	f, err := d.weekFacts(last, time.Time{}, log, stale)
	if err != nil {
		d.log.Error().Err(err).Msg("week record: gather")
		return
	}
	rec := f.Record()
	err = d.db.Update(now, func(tx *store.Tx) error { _, err := tx.PutRecord(rec); return err })
	if err != nil {
		d.log.Error().Err(err).Msg("week record: store")
		return
	}
	d.log.Info().Str("week", week).Int("filed", rec.FiledTotal()).Int("pages", rec.Pages).Msg("week record stored")
}

// weekFacts gathers what the store keeps about the week from week until
// until (zero: its end).
func (d *core) weekFacts(week, until time.Time, log store.WeekLog, stale int) (setbot.WeekFacts, error) {
	f := setbot.WeekFacts{Week: week, Until: until, Filed: log.Filed, Updates: log.Updates, StaleAtHandover: stale}
	var err error
	if f.Watched, err = d.db.WatchedSince(d.cfg.SETChannel, week); err != nil {
		return f, err
	}
	if f.Incidents, err = d.db.Incidents(); err != nil {
		return f, err
	}
	f.Pages, err = d.db.PagesSince(week)
	return f, err
}

// weekSoFar is this week's record up to now, with stale as its stale
// count (-1: unknown).
func (d *core) weekSoFar(ro setbot.Roster, now time.Time, stale int) (setbot.WeekRecord, error) {
	log, err := d.db.WeekLog()
	if err != nil {
		return setbot.WeekRecord{}, err
	}
	f, err := d.weekFacts(ro.WeekOf(now), now, log, stale)
	return f.Record(), err
}

func (d *cycle) statsCommands() []command {
	return []command{{name: "stats", usage: "stats [weeks]",
		summary: "each rotation week's figures (tickets by level, first response, incident updates, pages, stale tickets) with a chart; default 8 weeks (SET members)",
		where:   inSET, run: runStats}}
}

// runStats queues the stats post as a job: drawing the chart takes a
// moment, which a handler must not spend.
func runStats(ctx context.Context, d *core, r request) (outcome, error) {
	if err := d.checkMember(ctx, r.msg.UserID); err != nil {
		return outcome{}, err
	}
	n := defaultStatsWeeks
	if len(r.args) > 0 {
		v, err := strconv.Atoi(strings.TrimSpace(r.args[0]))
		if err != nil || v < 1 || v > maxStatsWeeks {
			return outcome{}, setbot.Errorf(setbot.EInvalid, "Say how many weeks as a number from 1 to %d, like `@%s stats 8`.", maxStatsWeeks, d.cfg.Bot.Username)
		}
		n = v
	}
	job := statsJob{Channel: r.msg.ChannelID, Root: r.msg.ThreadID(), Weeks: n}
	return outcome{apply: func(tx *store.Tx) error {
		_, err := tx.Enqueue(jobStats, string(r.msg.ID), job, time.Time{})
		return err
	}}, nil
}

func runStatsJob(ctx context.Context, d *core, j store.Job, job statsJob) error {
	ro, err := d.roster()
	if err != nil {
		return err
	}
	now := d.now()
	recs, err := d.db.Records(ro.WeekOf(now).Format(setbot.WeekLayout), job.Weeks)
	if err != nil {
		return err
	}
	reply := setbot.Reply{ChannelID: job.Channel, RootID: job.Root}
	if len(recs) == 0 {
		reply.Text = "No rotation week has ended since setbot started keeping its records; the first one is stored when this week ends."
	} else {
		reply.Text = strings.Join(append([]string{fmt.Sprintf("#### SET weeks: the last %d", len(recs)), ""}, setbot.RecordTable(recs)...), "\n")
		reply.Files = d.chart(recs)
	}
	err = d.db.FinishJob(j.ID, now, func(tx *store.Tx) error { return enqueueReplies(tx, []setbot.Reply{reply}) })
	d.kick()
	return err
}

// chart draws recs as the file to attach; none when there is no chart
// drawer or drawing failed (logged: the table says it all anyway).
func (d *core) chart(recs []setbot.WeekRecord) []setbot.ReplyFile {
	if d.ext.Chart == nil || len(recs) == 0 {
		return nil
	}
	png, err := d.ext.Chart(recs)
	if err != nil {
		d.log.Error().Err(err).Msg("week chart")
		return nil
	}
	return []setbot.ReplyFile{{Name: chartName, Data: png}}
}
