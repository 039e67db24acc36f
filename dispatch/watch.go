package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// The first-response watch (issue: SET answers in ~sustained-engineering
// "in less than about an hour"). A top-level post there by someone not on
// SET is watched; a thread reply by a SET member answers it; at the
// target the primary is mentioned in its thread, at twice the target the
// backup too. Each step is claimed in the store, so a restart neither
// repeats nor skips one.

func (*watch) commands() []command { return nil }

// observe queues a ~sustained-engineering post for the watch. Deliver
// calls it, in the order the listener sees posts, and it never blocks:
// run records the queue in batches, one transaction each, so a catch-up
// of a thousand posts costs a few writes, not a thousand.
func (d *watch) observe(m setbot.Message) {
	if m.FromBot || m.UserID == d.cfg.Bot.ID || m.UserID == "" || !d.watches(m) {
		return
	}
	d.mu.Lock()
	d.pending = append(d.pending, m)
	d.mu.Unlock()
	select {
	case d.ready <- struct{}{}:
	default:
	}
}

// watches says whether m is in a channel the watch follows: SET's always
// (its replies answer the announcements of filed intakes, which the week
// records time; its posts are watched when first_response is set),
// ~Ask R&D's when the sweep runs.
func (d *watch) watches(m setbot.Message) bool {
	set := m.Kind == setbot.ChannelSET && m.ChannelID == d.cfg.SETChannel
	ask := m.Kind == setbot.ChannelAsk && m.ChannelID == d.cfg.AskChannel && len(d.cfg.Watch.AskSweep) > 0
	return set || ask
}

// run records observed posts until done is closed (the workers stopped),
// then records what is left and returns.
func (d *watch) run(ctx context.Context, done <-chan struct{}) {
	if len(d.cfg.Watch.AskSweep) == 0 && d.cfg.AskChannel != "" {
		if err := d.db.DropWatchCursor(d.cfg.AskChannel); err != nil { // the sweep is off: catch-up there needs no watch
			d.log.Error().Err(err).Msg("~Ask R&D sweep: forget its cursor")
		}
	}
	for {
		select {
		case <-d.ready:
			d.flush(ctx)
		case <-done:
			d.flush(ctx)
			return
		}
	}
}

// flush records the queued posts in one transaction: a top-level post by
// someone not on SET is watched ("@setbot …" is a command, not a
// question); a thread reply by a SET member answers its thread. Replayed
// posts change nothing, and a reply recorded before its thread's first
// post leaves a mark that Watch respects. The watch's cursor moves with
// them, so a crash before this commit replays them on catch-up; a batch
// that fails is tried again at the next flush.
func (d *watch) flush(ctx context.Context) {
	d.flushing.Lock()
	defer d.flushing.Unlock()
	d.mu.Lock()
	batch := d.pending
	d.pending = nil
	d.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	members, err := d.setMembers()
	if err != nil {
		d.log.Error().Err(err).Msg("first-response watch: roster; the posts are recorded at the next flush")
		d.requeue(batch)
		return
	}
	isMember := map[setbot.UserID]bool{}
	for _, m := range batch {
		if _, ok := isMember[m.UserID]; !ok {
			isMember[m.UserID] = d.isOneOf(ctx, m.UserID, members)
		}
	}
	err = d.db.Update(d.now(), func(tx *store.Tx) error {
		for _, m := range batch {
			var err error
			ask := m.Kind == setbot.ChannelAsk
			switch member := isMember[m.UserID]; {
			case m.RootID == "" && !m.Mentioned && (ask || !member && d.cfg.Watch.FirstResponse > 0):
				_, err = tx.Watch(setbot.Watched{Post: m.ID, Channel: m.ChannelID, Poster: m.UserID, At: m.At,
					Level: setbot.NamedLevel(m.Text), Excerpt: excerpt(m.Text)})
			case m.RootID != "" && ask:
				_, err = tx.AnswerBy(m.RootID, m.UserID)
			case m.RootID != "" && member:
				_, err = tx.Answer(m.RootID, m.At)
			}
			if err == nil {
				err = tx.SetWatchCursor(m.ChannelID, m.At)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		d.log.Error().Err(err).Int("posts", len(batch)).Msg("first-response watch: record posts; tried again at the next flush")
		d.requeue(batch)
	}
}

// requeue puts a batch that could not be recorded back before the posts
// observed since, so that the next flush tries it first (and the watch's
// cursor never passes it).
func (d *watch) requeue(batch []setbot.Message) {
	d.mu.Lock()
	d.pending = append(batch, d.pending...)
	d.mu.Unlock()
}

// tick nudges the rotation about the watched posts whose time has come,
// and runs the ~Ask R&D sweep when one is due.
func (d *watch) tick(ctx context.Context, now time.Time) {
	d.sweepAsk(now)
	d.nudgeDue(now)
}

// nudgeDue nudges about the SET posts whose time has come.
func (d *watch) nudgeDue(now time.Time) {
	p := d.cfg.Watch
	if p.FirstResponse <= 0 {
		return
	}
	open, err := d.db.Unanswered()
	if err != nil {
		d.log.Error().Err(err).Msg("first-response watch: read the watched posts")
		return
	}
	for _, w := range open {
		if w.Channel != d.cfg.SETChannel || w.Intake {
			continue // an ~Ask R&D question (listed by the sweep), or setbot's own announcement: never nudged
		}
		n := 0
		for step := w.Nudges + 1; step <= 2 && !now.Before(p.NudgeAt(w, step)); step++ {
			n = step // after a long outage, only the latest due step is posted
		}
		if n > 0 {
			d.nudge(w, n, now)
		}
	}
}

// nudge claims step n of w and posts it in the post's thread.
func (d *watch) nudge(w setbot.Watched, n int, now time.Time) {
	s, err := d.shift()
	if err != nil {
		d.log.Error().Err(err).Msg("first-response watch: roster")
		return
	}
	err = d.db.Update(now, func(tx *store.Tx) error {
		claimed, err := tx.ClaimNudge(w.Post, n)
		if !claimed || err != nil {
			return err
		}
		return enqueueReplies(tx, []setbot.Reply{{ChannelID: w.Channel, RootID: w.Post, Text: d.nudgeText(w, n, s, now)}})
	})
	if err != nil {
		d.log.Error().Err(err).Str("post_id", string(w.Post)).Msg("first-response watch: nudge")
		return
	}
	d.kick()
}

// nudgeText asks the primary (and at step 2 the backup) to answer.
func (d *watch) nudgeText(w setbot.Watched, n int, s setbot.Shift, now time.Time) string {
	var to []setbot.Username
	for _, u := range []setbot.Username{s.Primary, s.Backup}[:n] {
		if u != "" {
			to = append(to, u)
		}
	}
	if len(to) == 0 && s.Lead != "" {
		to = append(to, s.Lead)
	}
	if len(to) == 0 { // nobody on the rotation this week: those who can fix that
		to = d.cfg.Rotation.Admins
	}
	who := "SET (nobody is on the rotation this week)"
	if len(to) > 0 {
		who = mentions(to)
	}
	level := ""
	if w.Level.Urgent() {
		level = " It names " + w.Level.String() + "."
	}
	return fmt.Sprintf("%s: this post has had no answer from SET for %s.%s Could you reply in this thread?",
		who, setbot.FormatAge(now.Sub(w.At)), level)
}
