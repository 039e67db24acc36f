package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// The ~Ask R&D sweep (the seed: SET checks ~Ask R&D once or twice a day).
// At each [watch] ask_sweep time on weekdays, the questions there older
// than ask_after with no reply from anyone but the asker are listed in
// ~sustained-engineering, in one thread per day, each with a Taken button
// that tells the question's thread who is looking at it.

// jobAskSweep posts a sweep's list in the day's thread. Payload:
// askSweepJob. Persisted: never rename.
const jobAskSweep = "ask-sweep"

// noticeAskSweep claims one sweep: ask-sweep/<day>/<time of day>.
const noticeAskSweep = "ask-sweep"

// actionAskTaken prefixes a Taken button: "ask:taken:<post id>".
const actionAskTaken = "ask:taken:"

// Bounds of a sweep: how long after its time a missed sweep is still
// posted (setbot was down), how many questions get a line and a button,
// and how much of each question is quoted.
const (
	askSweepLate  = 6 * time.Hour
	askSweepItems = 20
	excerptRunes  = 100
)

type askSweepJob struct {
	Thread string       `json:"thread"` // the day's thread name, "ask-sweep/<day>"
	Reply  setbot.Reply `json:"reply"`  // posted in that thread (as its root when it has none yet)
}

func (d *watch) clickRoutes() []clickRoute {
	return []clickRoute{{match: func(a string) bool { return strings.HasPrefix(a, actionAskTaken) }, handle: d.clickTaken}}
}

// excerpt is a post's first words on one line, for a list.
func excerpt(text string) string {
	s, _ := setbot.Truncate(strings.Join(strings.Fields(text), " "), excerptRunes)
	return s
}

// sweepAsk lists the waiting ~Ask R&D questions when a sweep is due.
func (d *watch) sweepAsk(now time.Time) {
	p := d.cfg.Watch
	if len(p.AskSweep) == 0 || d.cfg.AskChannel == "" {
		return
	}
	local := now.In(p.Location)
	if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return
	}
	day := local.Format(setbot.WeekLayout)
	for _, at := range p.AskSweep {
		due := time.Date(local.Year(), local.Month(), local.Day(), int(at/time.Hour), int(at%time.Hour/time.Minute), 0, 0, p.Location)
		if now.Before(due) || now.Sub(due) > askSweepLate {
			continue
		}
		// A read first: in the hours after a sweep, every timer pass would
		// otherwise scan the questions and write to the store.
		if _, done, err := d.db.NoticeSent(noticeAskSweep, day, due.Format("15:04")); done || err != nil {
			continue
		}
		if err := d.sweepOnce(now, day, due); err != nil {
			d.log.Error().Err(err).Str("day", day).Msg("~Ask R&D sweep")
		}
	}
}

// sweepOnce claims the sweep due at due and queues its list, if any.
func (d *watch) sweepOnce(now time.Time, day string, due time.Time) error {
	open, err := d.db.Unanswered()
	if err != nil {
		return err
	}
	var waiting []setbot.Watched
	for _, w := range open {
		if w.Channel == d.cfg.AskChannel && w.Taken == "" && !w.At.After(now.Add(-d.cfg.Watch.AskAfter)) {
			waiting = append(waiting, w)
		}
	}
	err = d.db.Update(now, func(tx *store.Tx) error {
		claimed, err := tx.ClaimNotice(noticeAskSweep, day, due.Format("15:04"))
		if !claimed || err != nil || len(waiting) == 0 { // nothing to list: no post
			return err
		}
		_, err = tx.Enqueue(jobAskSweep, "", askSweepJob{Thread: dayThread(day), Reply: d.sweepReply(waiting, due, now)}, time.Time{})
		return err
	})
	if err == nil {
		d.kick()
	}
	return err
}

// sweepReply is the list: each question's excerpt, link and age, and a
// Taken button per listed question.
func (d *watch) sweepReply(waiting []setbot.Watched, due, now time.Time) setbot.Reply {
	lines := []string{fmt.Sprintf("~Ask R&D questions with no answer for %s or more (the %s sweep):", setbot.FormatAge(d.cfg.Watch.AskAfter), due.Format("15:04"))}
	var buttons []setbot.Button
	for i, w := range waiting[:min(len(waiting), askSweepItems)] {
		lines = append(lines, fmt.Sprintf("%d. %s, %s ago: %s", i+1, quoteInline(w.Excerpt), setbot.FormatAge(now.Sub(w.At)), d.chat.Permalink(w.Post)))
		buttons = append(buttons, setbot.Button{Label: fmt.Sprintf("Taken %d", i+1), Action: actionAskTaken + string(w.Post)})
	}
	if more := len(waiting) - askSweepItems; more > 0 {
		lines = append(lines, fmt.Sprintf("…and %d more.", more))
	}
	lines = append(lines, "Press Taken when you look at one: I tell its thread.")
	return setbot.Reply{ChannelID: d.cfg.SETChannel, Text: strings.Join(lines, "\n"), Buttons: buttons}
}

// runAskSweep posts a sweep in its day's thread; the day's first sweep
// starts the thread and records it.
func runAskSweep(ctx context.Context, d *core, j store.Job, job askSweepJob) error {
	root, err := d.db.Thread(job.Thread)
	if err != nil {
		return err
	}
	r := job.Reply
	r.RootID = root
	id, err := d.postOnce(ctx, j, r, jobKey(j))
	if err != nil {
		return err
	}
	return d.db.FinishJob(j.ID, d.now(), func(tx *store.Tx) error { return tx.SetThread(job.Thread, id) })
}

// clickTaken records who took a question and tells its thread.
func (d *watch) clickTaken(_ context.Context, c setbot.Click) string {
	post := setbot.PostID(strings.TrimPrefix(c.Action, actionAskTaken))
	var before setbot.Username
	var ok bool
	err := d.db.Update(d.now(), func(tx *store.Tx) error {
		var err error
		if before, ok, err = tx.Take(post, c.Username); !ok || before != "" || err != nil {
			return err
		}
		return enqueueReplies(tx, []setbot.Reply{{ChannelID: d.cfg.AskChannel, RootID: post, Text: "@" + string(c.Username) + " is looking at this."}})
	})
	switch {
	case err != nil:
		d.log.Error().Err(err).Msg("Taken")
		return "I could not record that just now; please press it again."
	case !ok:
		return "That question is no longer on my list (it is older than I keep)."
	case before == c.Username:
		return "You took it already."
	case before != "":
		return fmt.Sprintf("%s took it already.", seat(before))
	}
	d.kick()
	return "Thanks: I told the question's thread that you are looking at it."
}
