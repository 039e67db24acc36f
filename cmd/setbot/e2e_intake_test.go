//go:build e2e

package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot/artifacts/artifactstest"
	"github.com/setbot/setbot/e2e/mmtest"
	"github.com/setbot/setbot/jira/jiratest"
)

// freeAddr returns a loopback address nobody listens on, so that the
// config's public_url can name setbot's HTTP address before it starts.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestE2EIntakeFilesOneTicket plays a support engineer through a whole DM
// intake on the real server, with real uploads and button clicks (the server
// calls setbot's HTTP endpoint), and checks the ticket the fake Jira got.
func TestE2EIntakeFilesOneTicket(t *testing.T) {
	w := theWorld(t)
	fake := jiratest.New(t, jiratest.Options{Users: []jiratest.User{{AccountID: "acc-alice", Email: "alice@example.com", Display: "Alice"}}})
	addr := freeAddr(t)
	monday := time.Now().UTC()
	for monday.Weekday() != time.Monday {
		monday = monday.AddDate(0, 0, -1)
	}
	extra := fmt.Sprintf(`
[rotation]
[[rotation.week]]
starts = %q
primary = "alice"
backup = "bob"
lead = "carol"

[jira]
url = %q
deployment = "cloud"
email = "bot@example.com"
token = "fake-token"
project = "SET"
[jira.accounts]
alice = "acc-alice"
`, monday.Format("2006-01-02"), fake.URL())
	cfg := botConfig(t, w, t.TempDir(), extra)
	cfg = strings.Replace(readFile(t, cfg), `listen = "127.0.0.1:0"`, fmt.Sprintf("listen = %q\npublic_url = %q", addr, "http://"+addr), 1)
	start(t, writeConfig(t, cfg))

	ctx := context.Background()
	p := person(t, w, "support1")
	dm, err := p.DMChannel(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fromBot := p.FromBot(dm, "")
	say := func(text, want string) {
		t.Helper()
		mark := p.Mark()
		if _, err := p.DM(ctx, text); err != nil {
			t.Fatal(err)
		}
		if _, err := p.WaitFor(ctx, mark, mmtest.Containing(fromBot, want), replyTimeout); err != nil {
			t.Fatalf("after %q: %v", text, err)
		}
	}
	upload := func(name string, data []byte, want string) {
		t.Helper()
		id, err := p.Upload(ctx, dm, name, data)
		if err != nil {
			t.Fatal(err)
		}
		mark := p.Mark()
		if _, err := p.DM(ctx, "", id); err != nil {
			t.Fatal(err)
		}
		if _, err := p.WaitFor(ctx, mark, mmtest.Containing(fromBot, want), replyTimeout); err != nil {
			t.Fatalf("after uploading %s: %v", name, err)
		}
	}

	mark := p.Mark()
	if _, err := p.DM(ctx, "Customer Acme on 10.11.4 with PostgreSQL 14.5: the server has high CPU since the upgrade"); err != nil {
		t.Fatal(err)
	}
	offer, err := p.WaitFor(ctx, mark, mmtest.Containing(fromBot, "Shall I open a SET ticket"), replyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	mark = p.Mark()
	if err := p.Click(ctx, offer, "Start"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, mark, mmtest.Containing(fromBot, "one-line summary"), replyTimeout); err != nil {
		t.Fatalf("after clicking Start: %v", err)
	}
	say("ok", "What exactly is affected")
	say("server: GET /api/v4/users/me takes 20 s", "Which customer")
	say("Acme Corp, about 2,000 of 5,000 users", "What can those users not do")
	say("nobody can post during business hours; no workaround", "bug, a feature request")
	say("bug", "Which priority")
	say("L2", "config.json")
	upload("config.json", mmtest.ConfigJSON(), "redacted")
	upload("mattermost.log", artifactstest.JSONLog(200), "Any more")
	say("done", "CPU profile")
	upload("cpu.pprof", artifactstest.PNG(), "PNG image")
	cpu, err := artifactstest.CPUProfile()
	if err != nil {
		t.Fatal(err)
	}
	upload("cpu.pprof", cpu, "Anything else")
	say("skip", "Please check the ticket")
	mark = p.Mark()
	if _, err := p.DM(ctx, "confirm"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, mark, mmtest.Containing(fromBot, "Filed [SET-"), 60*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, mark, mmtest.Containing(p.FromBot(w.SET.Id, ""), "New SET ticket [SET-"), replyTimeout); err != nil {
		t.Fatal(err)
	}

	issues := fake.Issues()
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
