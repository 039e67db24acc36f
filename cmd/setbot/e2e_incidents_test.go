//go:build e2e

package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot/e2e/mmtest"
	"github.com/setbot/setbot/jira/jiratest"
)

// incidentTOML makes updates due every few seconds, and the lead's turn as
// many seconds later, so that a whole reminder cycle fits in a test.
const (
	incidentEvery = 6 * time.Second
	incidentTOML  = "\n[incidents]\nupdate_every = \"6s\"\ngrace = \"6s\"\n"
)

// reminderOf matches setbot's reminders about key in ~sustained-engineering.
func reminderOf(p *mmtest.Person, w *mmtest.World, key, root string) mmtest.Match {
	return mmtest.Containing(p.FromBot(w.SET.Id, root), key+" (L2) has had no status update")
}

// mentions adds "mentions @name" to a match.
func mentions(m mmtest.Match, name string) mmtest.Match {
	return func(p *model.Post) bool { return m(p) && strings.Contains(p.Message, "@"+name+" ") }
}

// TestE2EIncidentReminderUpdateLeadResolve: an L2 intake becomes a tracked
// incident; one reminder mentions the owner (alice); an update from the
// thread reaches Jira and pushes the next reminder back; ignoring that one
// reaches the lead (carol); resolving stops the reminders.
func TestE2EIncidentReminderUpdateLeadResolve(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, incidentTOML)
	bot := r.start(t)
	ctx := context.Background()
	c := newChatter(t, w, "support1")
	alice, carol := person(t, w, "alice"), person(t, w, "carol")
	c.startIntake()
	c.answerIntake("L2")
	mark := alice.Mark()
	key := c.confirm()

	first, err := alice.WaitFor(ctx, mark, mentions(reminderOf(alice, w, key, ""), "alice"), 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(first.Message, "@carol") || !strings.Contains(first.Message, "@setbot update "+key) {
		t.Errorf("first reminder %q: want the owner only, and the command to post an update", first.Message)
	}
	thread := first.Id
	if first.RootId != "" {
		thread = first.RootId
	}

	// An update in the thread: recorded, answered, sent to Jira.
	upMark := alice.Mark()
	if _, err := alice.Post(ctx, w.SET.Id, thread, "@setbot update "+key+" rolled back the index; a fix ships in 10.11.5"); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitFor(ctx, upMark, mmtest.Containing(alice.FromBot(w.SET.Id, thread), "recorded the update on "+key), replyTimeout); err != nil {
		t.Fatal(err)
	}
	updated := time.Now()
	bot.settle(t, w, alice)
	if n := len(alice.Matching(mark, mentions(reminderOf(alice, w, key, ""), "alice"))); n != 1 {
		t.Errorf("%d reminders mentioned the owner before the update, want exactly 1", n)
	}
	waitForComment(t, r.fake, key, "rolled back the index")

	// The update pushed the next reminder back: it comes an interval after
	// the update, for the owner alone (without it the lead's turn was
	// one interval after the first reminder).
	next, err := alice.WaitFor(ctx, upMark, mentions(reminderOf(alice, w, key, thread), "alice"), 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if since := time.Since(updated); since < incidentEvery-2*time.Second || strings.Contains(next.Message, "@carol") {
		t.Errorf("next reminder %s after the update, %q; want about %s later and for the owner only", since, next.Message, incidentEvery)
	}

	// Ignored: the lead is mentioned.
	leadMark := carol.Mark()
	if _, err := carol.WaitFor(ctx, leadMark, mentions(reminderOf(carol, w, key, thread), "carol"), 30*time.Second); err != nil {
		t.Fatal(err)
	}

	// Resolved: no more reminders.
	resMark := alice.Mark()
	if _, err := alice.Post(ctx, w.SET.Id, thread, "@setbot resolve "+key); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitFor(ctx, resMark, mmtest.Containing(alice.FromBot(w.SET.Id, thread), key+" is resolved"), replyTimeout); err != nil {
		t.Fatal(err)
	}
	after := alice.Mark()
	settle(t, w, bot.main.Addr, alice, time.Now().Add(2*incidentEvery)) // two intervals looked at
	if got := alice.Matching(after, reminderOf(alice, w, key, "")); len(got) != 0 {
		t.Errorf("%d reminders after the incident was resolved: %q", len(got), got[0].Message)
	}
}

// waitForComment waits until the fake Jira's issue key has a comment
// containing text.
func waitForComment(t *testing.T, fake *jiratest.Server, key, text string) {
	t.Helper()
	deadline := time.Now().Add(replyTimeout)
	for time.Now().Before(deadline) {
		for _, is := range fake.Issues() {
			for _, c := range is.Comments {
				if is.Key == key && strings.Contains(c.Body, text) {
					return
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Errorf("Jira issue %s has no comment containing %q", key, text)
}

// TestE2EIncidentSnooze: an existing ticket tracked with "@setbot incident"
// is reminded in the thread where it was tracked; a Snooze click (the real
// server calling setbot's HTTP endpoint) holds the reminders back.
func TestE2EIncidentSnooze(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, incidentTOML)
	key := r.fake.AddIssue(jiratest.Issue{Summary: "search is slow for everyone", IssueType: "Bug"})
	bot := r.start(t)
	ctx := context.Background()
	bob, alice := person(t, w, "bob"), person(t, w, "alice")
	mark := alice.Mark()
	thread := ask(t, w, bob, "incident "+key+" L2", "Tracking "+key+" (L2)").RootId // the command's thread
	reminder, err := alice.WaitFor(ctx, mark, mentions(reminderOf(alice, w, key, thread), "alice"), 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	snoozeMark := alice.Mark()
	if err := alice.Click(ctx, reminder, "Snooze 1h"); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitFor(ctx, snoozeMark, mmtest.Containing(alice.FromBot(w.SET.Id, thread), "snoozed the reminders of "+key), replyTimeout); err != nil {
		t.Fatal(err)
	}
	// Without the snooze the lead's turn would come one interval after the
	// reminder, and a repeat after two.
	settle(t, w, bot.main.Addr, alice, time.Now().Add(2*incidentEvery))
	if got := alice.Matching(snoozeMark, reminderOf(alice, w, key, "")); len(got) != 0 {
		t.Errorf("%d reminders while snoozed: %q", len(got), got[0].Message)
	}
	resMark := alice.Mark()
	if _, err := alice.Post(ctx, w.SET.Id, thread, "@setbot resolve "+key); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitFor(ctx, resMark, mmtest.Containing(alice.FromBot(w.SET.Id, thread), key+" is resolved"), replyTimeout); err != nil {
		t.Fatal(err)
	}
}
