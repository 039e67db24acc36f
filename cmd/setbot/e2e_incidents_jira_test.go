//go:build e2e

package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot/e2e/mmtest"
	"github.com/setbot/setbot/jira/jiratest"
)

// jiraCommentEvery is update_every for the Jira comment test: long enough
// that a comment made before the first due time moves the reminder
// visibly later.
const (
	jiraCommentEvery = 8 * time.Second
	jiraCommentTOML  = "\n[incidents]\nupdate_every = \"8s\"\ngrace = \"1h\"\n"
)

// TestE2EIncidentJiraCommentPushesReminderBack: an L2 incident tracked with
// "@setbot incident KEY"; bob comments on the ticket in Jira (as a person,
// not through setbot) before update_every runs out, so there is no
// reminder at the first due time: it comes an interval after the comment.
// An update through setbot afterwards still works beside it: its echo
// reaches Jira and the next reminder comes an interval after the update.
// (That setbot's own comments never count is shown by the dispatch tests.)
func TestE2EIncidentJiraCommentPushesReminderBack(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, jiraCommentTOML)
	key := r.fake.AddIssue(jiratest.Issue{Summary: "exports time out for a large customer", IssueType: "Bug"})
	r.start(t)
	ctx := context.Background()
	bob, alice := person(t, w, "bob"), person(t, w, "alice")
	mark := alice.Mark()
	thread := ask(t, w, bob, "incident "+key+" L2", "Tracking "+key+" (L2)").RootId // the command's thread
	tracked := time.Now()
	time.Sleep(jiraCommentEvery - 3*time.Second)
	r.fake.AddComment(key, "acc-bob", "Customer confirmed the workaround; waiting on the 10.11.5 build.")
	commented := time.Now()

	first, err := alice.WaitFor(ctx, mark, mentions(reminderOf(alice, w, key, thread), "alice"), 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if since := time.Since(commented); since < jiraCommentEvery-1500*time.Millisecond {
		t.Fatalf("first reminder %s after bob's Jira comment (%s after tracking): want about %s after the comment",
			since, time.Since(tracked), jiraCommentEvery)
	}
	if !strings.Contains(first.Message, "no status update for") {
		t.Errorf("first reminder %q: want the age of the last update (the Jira comment)", first.Message)
	}

	// An update through setbot: recorded, echoed to Jira, reminder pushed back.
	upMark := alice.Mark()
	if _, err := alice.Post(ctx, w.SET.Id, thread, "@setbot update "+key+" build 10.11.5 is on the customer's staging"); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitFor(ctx, upMark, mmtest.Containing(alice.FromBot(w.SET.Id, thread), "recorded the update on "+key), replyTimeout); err != nil {
		t.Fatal(err)
	}
	updated := time.Now()
	waitForComment(t, r.fake, key, "10.11.5 is on the customer's staging")
	if _, err := alice.WaitFor(ctx, upMark, mentions(reminderOf(alice, w, key, thread), "alice"), 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if since := time.Since(updated); since < jiraCommentEvery-1500*time.Millisecond || since > 2*jiraCommentEvery {
		t.Errorf("next reminder %s after the update: want about %s", since, jiraCommentEvery)
	}

	resMark := alice.Mark()
	if _, err := alice.Post(ctx, w.SET.Id, thread, "@setbot resolve "+key); err != nil {
		t.Fatal(err)
	}
	if _, err := alice.WaitFor(ctx, resMark, mmtest.Containing(alice.FromBot(w.SET.Id, thread), key+" is resolved"), replyTimeout); err != nil {
		t.Fatal(err)
	}
}
