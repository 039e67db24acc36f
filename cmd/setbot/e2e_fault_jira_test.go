//go:build e2e

package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot/e2e/mmtest"
	"github.com/setbot/setbot/jira/jiratest"
)

// TestFaultJiraHangsThenRefusesThenRecovers: Jira hangs at start-up, then
// answers 401, then recovers. setbot starts and serves /healthz and chat
// at once; an intake confirmed meanwhile is queued, never lost; the 401 is
// noted to the admins once while chat and paging keep working; when Jira
// is back, the queued ticket is filed once and its link sent.
func TestFaultJiraHangsThenRefusesThenRecovers(t *testing.T) {
	fig := faultCase(t)
	w := theWorld(t)
	r := newRig(t, w, "[escalation]\nack_within = \"30s\"\n")
	r.fake.Inject(jiratest.Fault{Hang: true, Sticky: true})
	t0 := time.Now()
	bot := startWith(t, r.cfg, func(m *Main) { m.JiraCheckEvery = 2 * time.Second })
	fig.note("connected to Mattermost %s after start with every Jira call hanging", time.Since(t0).Round(time.Millisecond))
	resp, err := http.Get("http://" + bot.main.Addr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz with Jira hanging: %v %v", resp, err)
	}
	resp.Body.Close()
	if up := scrapeMetrics(t, bot)["setbot_jira_up"]; up != 0 {
		t.Errorf("setbot_jira_up = %v while Jira hangs", up)
	}

	admin := person(t, w, "carol") // the rig names no admins: the note goes to the channel
	amark := admin.Mark()
	c := newChatter(t, w, "support1")
	c.startIntake()
	c.answerIntake("L3")
	mark := c.p.Mark()
	if _, err := c.p.DM(c.ctx, "confirm"); err != nil {
		t.Fatal(err)
	}
	r.fake.ClearFaults() // the create hangs until setbot gives up on it; then Jira refuses setbot
	r.fake.Inject(jiratest.Fault{Status: http.StatusUnauthorized, Sticky: true})
	refusedAt := time.Now()
	if _, err := c.p.WaitFor(c.ctx, mark, mmtest.Containing(c.fromBot, "your ticket is queued"), 3*time.Minute); err != nil {
		t.Fatalf("the engineer was not told the ticket is queued: %v\n%s", err, c.p.Recent(4))
	}
	note := mmtest.Containing(admin.FromBot(w.SET.Id, ""), "Jira did not accept setbot's credentials")
	if _, err := admin.WaitFor(c.ctx, amark, note, 2*time.Minute); err != nil {
		t.Fatalf("no note to the admins: %v", err)
	}
	fig.note("the 401 was noted to the admins %s after Jira began refusing", time.Since(refusedAt).Round(time.Second))

	// Chat and paging work while Jira refuses setbot.
	alice := newPager(t, w, "alice")
	pmark := alice.p.Mark()
	text := fmt.Sprintf("search is down (jira refusing %d)", time.Now().UnixNano())
	if _, err := c.p.Post(c.ctx, w.SET.Id, "", "@setbot page "+text); err != nil {
		t.Fatal(err)
	}
	alice.waitPaged(t, pmark, "primary", text, replyTimeout)
	c.say("help", "")

	// Jira is back: the queued ticket is filed once, and the link sent.
	r.fake.ClearFaults()
	back := time.Now()
	got, err := c.p.WaitFor(c.ctx, mark, mmtest.Containing(c.fromBot, "Filed [SET-"), 2*time.Minute)
	if err != nil {
		t.Fatalf("the queued ticket was not filed after Jira came back: %v\n%s", err, c.p.Recent(4))
	}
	fig.note("the queued ticket was filed %s after Jira came back", time.Since(back).Round(100*time.Millisecond))
	bot.settle(t, w, c.p)
	if n := len(r.fake.Issues()); n != 1 {
		t.Errorf("%d tickets in Jira, want 1", n)
	}
	if n := len(admin.Matching(amark, note)); n != 1 {
		t.Errorf("%d notes to the admins, want 1", n)
	}
	if up := scrapeMetrics(t, bot)["setbot_jira_up"]; up != 1 {
		t.Errorf("setbot_jira_up = %v after Jira came back", up)
	}
	if refusals := strings.Count(bot.logs.String(), "Jira refuses setbot"); refusals < 1 {
		t.Errorf("no error logged for the 401")
	}
	fig.note("answer: %q", strings.SplitN(got.Message, "\n", 2)[0])
}
