package dispatch

import (
	"context"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// A ticket filed through an intake is announced in ~sustained-engineering;
// the week records time SET's first reply in that thread from the intake's
// confirmation (issue 16: the time to first response where no watched
// post asked first).

// jobAnnounce posts an intake's announcement and watches it. Payload:
// announceJob. Persisted: never rename.
const jobAnnounce = "announce"

type announceJob struct {
	Reply setbot.Reply `json:"reply"`
	Since time.Time    `json:"since"` // when the intake was confirmed
}

func runAnnounce(ctx context.Context, d *core, j store.Job, a announceJob) error {
	id, err := d.postOnce(ctx, j, a.Reply, jobKey(j))
	if err != nil {
		return err
	}
	return d.db.FinishJob(j.ID, d.now(), func(tx *store.Tx) error {
		return watchAnnouncement(tx, a.Reply.ChannelID, d.cfg.Bot.ID, id, a.Since)
	})
}

// watchAnnouncement watches setbot's announcement post root, made for an
// intake confirmed at since, for SET's first reply in its thread.
func watchAnnouncement(tx *store.Tx, ch setbot.ChannelID, bot setbot.UserID, root setbot.PostID, since time.Time) error {
	_, err := tx.Watch(setbot.Watched{Post: root, Channel: ch, Poster: bot, At: since, Intake: true})
	return err
}
