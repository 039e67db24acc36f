package dispatch

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

// TestIntakeAnnouncementTimesSETsFirstReply: a ticket filed through an
// intake is announced in ~sustained-engineering and watched from the
// confirmation; the primary's reply in its thread 40 minutes later is
// its first response, which the week's record counts. The announcement
// is never nudged, nor listed by triage, and a reply by someone not on SET
// does not count.
func TestIntakeAnnouncementTimesSETsFirstReply(t *testing.T) {
	r := newTicketRig(t)
	r.cfg.Watch = setbot.WatchPolicy{FirstResponse: 10 * time.Minute, Location: time.UTC, Targets: setbot.DefaultWatchTargets}
	r.open()
	r.jira.similar = nil
	r.intakeToCheck(t)
	r.drain(t)
	r.chat.take()
	confirmed := r.now
	r.dm("confirm")
	r.now = r.now.Add(time.Minute) // filed a minute later
	r.drain(t)
	posts, ids := r.chat.takeWithIDs()
	var root setbot.PostID
	for i, p := range posts {
		if p.ChannelID == "c-set" && strings.HasPrefix(p.Text, "New SET ticket") {
			root = ids[i]
		}
	}
	if root == "" {
		t.Fatalf("no announcement in ~sustained-engineering: %s", texts(posts))
	}
	say := func(user string, at time.Time) {
		r.seq++
		r.deliver(setbot.Message{ID: setbot.PostID("rep" + user), ChannelID: "c-set", RootID: root, Kind: setbot.ChannelSET,
			UserID: setbot.UserID("u-" + user), Username: setbot.Username(user), Text: "looking", At: at})
	}
	say("zoe", confirmed.Add(5*time.Minute)) // not on SET
	say("alice", confirmed.Add(40*time.Minute))
	r.d.c.watch.flush(context.Background())
	r.now = confirmed.Add(3 * time.Hour)
	r.d.c.watch.tick(context.Background(), r.now)
	r.drain(t)
	if got := r.chat.take(); len(got) != 0 {
		t.Errorf("the announcement was nudged:\n%s", texts(got))
	}
	ws, err := r.db.WatchedSince("c-set", confirmed.Add(-time.Hour))
	if err != nil || len(ws) != 1 || !ws[0].Intake || ws[0].Post != root || !ws[0].At.Equal(confirmed) {
		t.Fatalf("watched %+v, %v; want the announcement, from the confirmation", ws, err)
	}
	if got := ws[0].AnsweredAt.Sub(ws[0].At); got != 40*time.Minute {
		t.Errorf("first response after %s, want 40m (alice's reply, not zoe's)", got)
	}
	rec := setbot.WeekFacts{Week: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Watched: ws}.Record()
	if rec.FirstResponse != (setbot.Spread{N: 1, Median: 40 * time.Minute, P90: 40 * time.Minute}) {
		t.Errorf("the week's first response: %+v", rec.FirstResponse)
	}
}
