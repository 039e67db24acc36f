//go:build e2e

package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot/e2e/mmtest"
	"github.com/setbot/setbot/jira/jiratest"
)

// TestE2EIncidentUpdateInItsOwnChannel: `@setbot update` works in an
// incident's own channel (any channel setbot is in), is echoed in the
// incident's thread in ~sustained-engineering and reaches Jira; other
// commands there get a pointer to where they work.
func TestE2EIncidentUpdateInItsOwnChannel(t *testing.T) {
	w := theWorld(t)
	ctx := context.Background()
	room, err := w.Channel(ctx, "incident-globex")
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, w, "")
	key := r.fake.AddIssue(jiratest.Issue{Summary: "Globex: logins fail", IssueType: "Bug"})
	r.start(t)
	bob := person(t, w, "bob")

	mark := bob.Mark()
	cmd, err := bob.Post(ctx, w.SET.Id, "", "@setbot incident "+key+" L1 ~incident-globex")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitFor(ctx, mark, mmtest.Containing(bob.FromBot(w.SET.Id, cmd.Id), "Tracking "+key), replyTimeout); err != nil {
		t.Fatal(err)
	}
	up, err := bob.Post(ctx, room.Id, "", "@setbot update "+key+" rolled back the LDAP change; logins work again")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitFor(ctx, mark, bob.FromBot(room.Id, up.Id), replyTimeout); err != nil {
		t.Fatalf("no answer in the incident's channel: %v", err)
	}
	if _, err := bob.WaitFor(ctx, mark, mmtest.Containing(bob.FromBot(w.SET.Id, cmd.Id), "rolled back the LDAP change"), replyTimeout); err != nil {
		t.Fatalf("the update was not echoed in the incident's thread: %v", err)
	}
	if !eventually(func() bool {
		for _, is := range r.fake.Issues() {
			for _, c := range is.Comments {
				if is.Key == key && strings.Contains(c.Body, "rolled back the LDAP change") {
					return true
				}
			}
		}
		return false
	}) {
		t.Errorf("the update did not reach %s as a Jira comment", key)
	}
	who, err := bob.Post(ctx, room.Id, "", "@setbot who")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitFor(ctx, mark, mmtest.Containing(bob.FromBot(room.Id, who.Id), "works in ~sustained-engineering"), replyTimeout); err != nil {
		t.Fatal(err)
	}
}

// eventually polls cond for up to replyTimeout.
func eventually(cond func() bool) bool {
	for end := time.Now().Add(replyTimeout); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}

// TestE2EMissedInNewPlacesIsAnsweredAfterRestart: while setbot is down, a
// mention in a channel it never handled a post in and a DM from someone who
// never wrote to it are answered after it comes back.
func TestE2EMissedInNewPlacesIsAnsweredAfterRestart(t *testing.T) {
	w := theWorld(t)
	ctx := context.Background()
	cfg := botConfig(t, w, t.TempDir(), "")
	bot := start(t, cfg)
	s1 := person(t, w, "support1")
	mark := s1.Mark()
	first, err := s1.Post(ctx, w.SET.Id, "", "@setbot help")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s1.WaitFor(ctx, mark, s1.FromBot(w.SET.Id, first.Id), replyTimeout); err != nil {
		t.Fatal(err)
	}
	bot.stop(t)

	room, err := w.Channel(ctx, fmt.Sprintf("war-room-%d", time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	dave, s2 := person(t, w, "dave"), person(t, w, "support2")
	daveMark, s2Mark := dave.Mark(), s2.Mark()
	asked, err := dave.Post(ctx, room.Id, "", "@setbot help")
	if err != nil {
		t.Fatal(err)
	}
	dm, err := s2.DMChannel(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.DM(ctx, "help"); err != nil {
		t.Fatal(err)
	}
	bot = start(t, cfg)
	if _, err := dave.WaitFor(ctx, daveMark, dave.FromBot(room.Id, asked.Id), replyTimeout); err != nil {
		t.Errorf("the mention in a new channel made while setbot was down was lost: %v", err)
	}
	if _, err := s2.WaitFor(ctx, s2Mark, s2.FromBot(dm, ""), replyTimeout); err != nil {
		t.Errorf("the DM sent while setbot was down was lost: %v", err)
	}
	bot.settle(t, w, s2) // a repeat, if there were one, has arrived
	if n := len(s2.Matching(s2Mark, s2.FromBot(dm, ""))); n != 1 {
		t.Errorf("the missed DM was answered %d times, want once", n)
	}
}
