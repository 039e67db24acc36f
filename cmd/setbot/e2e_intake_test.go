//go:build e2e

package main

import (
	"strings"
	"testing"

	"github.com/setbot/setbot/e2e/mmtest"
)

// TestE2EIntakeFilesOneTicket plays a support engineer through a whole DM
// intake on the real server, with real uploads and button clicks (the server
// calls setbot's HTTP endpoint), and checks the ticket the fake Jira got.
func TestE2EIntakeFilesOneTicket(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "")
	r.start(t)
	c := newChatter(t, w, "support1")
	c.startIntake()
	c.answerIntake("L2")
	mark := c.p.Mark()
	c.confirm()
	if _, err := c.p.WaitFor(c.ctx, mark, mmtest.Containing(c.p.FromBot(w.SET.Id, ""), "New SET ticket [SET-"), replyTimeout); err != nil {
		t.Fatal(err)
	}

	issues := r.fake.Issues()
	if len(issues) != 1 {
		t.Fatalf("Jira has %d issues, want exactly 1", len(issues))
	}
	is := issues[0]
	if is.Assignee != "acc-alice" || is.Status != "In Progress" || is.Priority != "High" {
		t.Errorf("ticket assignee=%q status=%q priority=%q; want acc-alice, In Progress, High", is.Assignee, is.Status, is.Priority)
	}
	names := map[string]bool{}
	for _, a := range is.Attachments {
		names[a.Filename] = true
	}
	for _, n := range []string{"config.json", "mattermost.log", "cpu.pprof"} {
		if !names[n] {
			t.Errorf("ticket lacks attachment %s (has %v)", n, names)
		}
	}
	for _, s := range mmtest.Secrets {
		if strings.Contains(is.Description, s) {
			t.Errorf("secret %q reached the ticket's description", s)
		}
	}
	for _, want := range []string{"10.11.4", "PostgreSQL", "Acme Corp"} {
		if !strings.Contains(is.Description, want) {
			t.Errorf("description lacks %q", want)
		}
	}
}
