//go:build e2e

package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot/e2e/mmtest"
)

// TestFaultMattermostRestartMidLadderAndIntake: the Mattermost server
// restarts while a page's ladder runs and an intake is half answered.
// setbot reconnects; the ladder goes on to the backup and the lead, each
// paged exactly once; the intake goes on from where it was and files one
// ticket.
func TestFaultMattermostRestartMidLadderAndIntake(t *testing.T) {
	restart := os.Getenv("SETBOT_E2E_RESTART")
	if restart == "" {
		t.Fatal("SETBOT_E2E_RESTART is not set: it names the command that restarts the Mattermost server (devstack/stack restart)")
	}
	fig := faultCase(t)
	w := theWorld(t)
	const ack = 20 * time.Second
	r := newRig(t, w, fmt.Sprintf("[escalation]\nack_within = %q\n", ack))
	bot := r.start(t)
	ctx := context.Background()
	c := newChatter(t, w, "support2")
	c.startIntake()
	c.say("ok", "What exactly is affected")
	c.say("server: GET /api/v4/users/me takes 20 s", "Which customer")
	alice := newPager(t, w, "alice")
	amark := alice.p.Mark()
	sup := person(t, w, "support1")
	what := fmt.Sprintf("exports fail (restart %d)", time.Now().UnixNano())
	post, err := sup.Post(ctx, w.SET.Id, "", "@setbot page "+what)
	if err != nil {
		t.Fatal(err)
	}
	alice.waitPaged(t, amark, "primary", what, replyTimeout)

	down := time.Now()
	c.p.Close()
	restartMattermost(t, restart)
	waitReady(t, bot, 60*time.Second)
	fig.note("Mattermost restarted; setbot ready again %s after the restart began", time.Since(down).Round(100*time.Millisecond))

	// The people's websockets went down with the server: new ones.
	c = newChatter(t, w, "support2")
	c.say("Acme Corp, about 2,000 of 5,000 users", "What can those users not do")
	c.say("nobody can post during business hours; no workaround", "bug, a feature request")
	c.say("bug", "Which priority")
	c.say("L3", "config.json")
	c.answerFiles(false)
	key := c.confirm()
	fig.note("the intake went on after the restart and filed %s", key)

	carol := person(t, w, "carol")
	deadline := time.Now().Add(3*ack + 30*time.Second)
	for pagedIn(t, w, post.Id, "carol") == 0 && time.Now().Before(deadline) {
		if _, err := carol.WaitFor(ctx, carol.Mark(), carol.FromBot(w.SET.Id, post.Id), time.Until(deadline)); err != nil {
			break
		}
	}
	bot.settle(t, w, carol)
	got := map[string]int{}
	for _, who := range []string{"alice", "bob", "carol"} {
		got[who] = pagedIn(t, w, post.Id, who)
	}
	fig.note("steps in the page's thread after the restart: %v", got)
	if fmt.Sprint(got) != "map[alice:1 bob:1 carol:1]" {
		t.Errorf("steps in the thread: %v, want each person paged exactly once", got)
	}
	if n := len(r.fake.Issues()); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
}

// pagedIn counts setbot's posts in the page thread root that page who,
// read from the server (a websocket that was down saw nothing).
func pagedIn(t *testing.T, w *mmtest.World, root, who string) int {
	t.Helper()
	thread, _, err := w.Admin.GetPostThread(context.Background(), root, "", false)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range thread.Posts {
		if p.UserId == w.Bot.Id && strings.HasPrefix(p.Message, "@"+who+" you are paged as SET") {
			n++
		}
	}
	return n
}
