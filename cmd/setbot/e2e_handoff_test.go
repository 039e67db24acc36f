//go:build e2e

package main

import (
	"context"
	"strings"
	"testing"

	"github.com/setbot/setbot/e2e/mmtest"
)

// TestE2EIntakeThreadHandOff: `@setbot ticket` as a reply in a thread of
// ~sustained-engineering continues in a DM prefilled from the thread's root
// post, and the ticket's link comes back to that thread.
func TestE2EIntakeThreadHandOff(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "")
	bot := r.start(t)
	c := newChatter(t, w, "support2")
	ctx := context.Background()

	root, err := c.p.Post(ctx, w.SET.Id, "", highCPUIntake+" (thread "+t.Name()+")")
	if err != nil {
		t.Fatal(err)
	}
	inThread := c.p.FromBot(w.SET.Id, root.Id)
	mark := c.p.Mark()
	if _, err := c.p.Post(ctx, w.SET.Id, root.Id, "@setbot ticket"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.p.WaitFor(ctx, mark, mmtest.Containing(inThread, "direct message"), replyTimeout); err != nil {
		t.Fatal(err)
	}
	first, err := c.p.WaitFor(ctx, mark, mmtest.Containing(c.fromBot, "one-line summary"), replyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.Message, "the server has high CPU since the upgrade") {
		t.Errorf("the DM does not offer the thread's text as the summary:\n%s", first.Message)
	}
	if !strings.Contains(first.Message, "/pl/"+root.Id) {
		t.Errorf("the DM does not link the thread's root post:\n%s", first.Message)
	}
	bot.settle(t, w, c.p)
	if n := len(c.p.Matching(mark, inThread)); n != 1 {
		t.Errorf("setbot posted %d times in the thread before filing, want 1:\n%s", n, c.p.Recent(8))
	}

	c.answerIntake("L3")
	key := c.confirm()
	if _, err := c.p.WaitFor(ctx, mark, mmtest.Containing(inThread, "["+key+"]"), replyTimeout); err != nil {
		t.Fatalf("the link of %s did not come back to the thread: %v", key, err)
	}
	bot.settle(t, w, c.p)
	if n := len(c.p.Matching(mark, mmtest.Containing(inThread, "["+key+"]"))); n != 1 {
		t.Errorf("the link of %s was posted %d times in the thread, want once:\n%s", key, n, c.p.Recent(8))
	}
	issues := r.fake.Issues()
	if len(issues) != 1 {
		t.Fatalf("Jira has %d issues, want 1", len(issues))
	}
	if !strings.Contains(issues[0].Description, root.Id) {
		t.Errorf("the ticket does not link the thread it came from (%s)", root.Id)
	}
}

// TestE2EIntakeResumesAfterRestart: setbot stopped in the middle of an
// intake, with an answer sent while it is down, resumes at the same question
// with everything kept, answers that message once, and files one ticket.
func TestE2EIntakeResumesAfterRestart(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "")
	bot := r.start(t)
	c := newChatter(t, w, "support1")
	c.startIntake()
	c.say("ok", "What exactly is affected")
	c.say("server: GET /api/v4/users/me takes 20 s", "Which customer")

	bot.stop(t)
	mark := c.p.Mark()
	if _, err := c.p.DM(c.ctx, "Acme Corp, about 2,000 of 5,000 users"); err != nil {
		t.Fatal(err)
	}
	bot = r.start(t)
	if _, err := c.p.WaitFor(c.ctx, mark, mmtest.Containing(c.fromBot, "What can those users not do"), replyTimeout); err != nil {
		t.Fatalf("the answer sent while setbot was down was not taken after the restart: %v", err)
	}
	c.say("nobody can post during business hours; no workaround", "bug, a feature request")
	status := c.say("status", "What I have")
	for _, want := range []string{"GET /api/v4/users/me", "Acme Corp"} {
		if !strings.Contains(status.Message, want) {
			t.Errorf("after the restart, status lacks %q:\n%s", want, status.Message)
		}
	}
	bot.settle(t, w, c.p)
	if n := len(c.p.Matching(mark, mmtest.Containing(c.fromBot, "What can those users not do"))); n != 1 {
		t.Errorf("the question after the restart was asked %d times, want once:\n%s", n, c.p.Recent(10))
	}
}
