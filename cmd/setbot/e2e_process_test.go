//go:build e2e

package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot/artifacts/artifactstest"
	"github.com/setbot/setbot/e2e/mmtest"
	"github.com/setbot/setbot/jira/jiratest"
)

// waitHeader polls the ~sustained-engineering header until it contains
// want, and returns it.
func waitHeader(t *testing.T, w *mmtest.World, want string) string {
	t.Helper()
	var header string
	for deadline := time.Now().Add(replyTimeout); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		ch, _, err := w.Admin.GetChannel(context.Background(), w.SET.Id)
		if err != nil {
			t.Fatal(err)
		}
		if header = ch.Header; strings.Contains(header, want) {
			return header
		}
	}
	t.Fatalf("the channel header is %q, want it to contain %q", header, want)
	return ""
}

// TestE2EOverrideThisWeekUpdatesTheHeader: the lead overrides this week's
// primary and the header follows at once, not at the next week boundary.
func TestE2EOverrideThisWeekUpdatesTheHeader(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "")
	r.start(t)
	waitHeader(t, w, pagingSegment)
	carol := person(t, w, "carol")
	ask(t, w, carol, "override this primary @dave", "Done")
	waitHeader(t, w, "SET: lead @carol · primary @dave · backup @bob")
}

// TestE2EUpdateByDMDuringAnIntake: the incident's owner, in the middle of
// an intake of their own, DMs "update KEY …": it is taken as the update
// (recorded, a Jira comment), not as an answer to the intake.
func TestE2EUpdateByDMDuringAnIntake(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "")
	key := r.fake.AddIssue(jiratest.Issue{Summary: "push notifications are late", IssueType: "Bug"})
	r.start(t)
	alice := newChatter(t, w, "alice")
	ask(t, w, alice.p, "incident "+key+" L2", "Tracking "+key)
	alice.startIntake()
	alice.say("update "+key+" Mitigated: the customer's proxy was dropping the push connection", "recorded the update on "+key)
	waitForComment(t, r.fake, key, "the customer's proxy was dropping the push connection")
	alice.say("status", "What I have") // the intake is still there, at the same question
}

// TestE2EIntakeTakesPlainNo: at "Any more?" after a log, "No, that's
// everything." moves on to the next question.
func TestE2EIntakeTakesPlainNo(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "")
	r.start(t)
	c := newChatter(t, w, "support1")
	c.startIntake()
	c.answerToPriority("L3", "config.json")
	c.upload("config.json", mmtest.ConfigJSON(), "redacted")
	c.upload("mattermost.log", artifactstest.JSONLog(20), "Any more")
	c.say("No, that's everything.", "CPU profile")
}

// TestE2EFeatureRequestIsRoutedAway: with [routing], a feature request is
// filed in the product team's project (PM), unassigned and not moved,
// announced in its channel and not in ~sustained-engineering; the SET
// project gets nothing.
func TestE2EFeatureRequestIsRoutedAway(t *testing.T) {
	w := theWorld(t)
	ctx := context.Background()
	pm, err := w.Channel(ctx, "product-requests")
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, w, "\n[routing]\nproject = \"PM\"\nchannel = \"product-requests\"\nteam = \"Product Management\"\n")
	bot := r.start(t)
	c := newChatter(t, w, "support1")
	mark := c.p.Mark()
	offer := c.say("A customer asks for custom emoji in channel headers", "Shall I open a SET ticket")
	c.click(offer, "Start", "one-line summary")
	c.say("ok", "What exactly is affected")
	c.say("web app: the channel header editor", "Which customer")
	c.say("Initech, all 300 users", "What can those users not do")
	c.say("they cannot use their emoji in headers", "bug, a feature request")
	c.say("feature request", "Which priority")
	c.say("L3", "Anything else")
	c.say("skip", "goes to")
	filed := c.send("confirm", "Filed [PM-", 60*time.Second)
	if _, err := c.p.WaitFor(ctx, mark, mmtest.Containing(c.p.FromBot(pm.Id, ""), "[PM-"), replyTimeout); err != nil {
		t.Errorf("not announced in ~product-requests: %v", err)
	}
	bot.settle(t, w, c.p)
	if got := c.p.Matching(mark, mmtest.Containing(c.p.FromBot(w.SET.Id, ""), "custom emoji")); len(got) != 0 {
		t.Errorf("announced in ~sustained-engineering: %q", got[0].Message)
	}
	issues := r.fake.Issues()
	if len(issues) != 1 || issues[0].Project != "PM" || issues[0].Assignee != "" || issues[0].Status == "In Progress" {
		t.Fatalf("Jira has %+v after %q; want one unassigned PM ticket, not moved", issues, filed.Message)
	}
}
