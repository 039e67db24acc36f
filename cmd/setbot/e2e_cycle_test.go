//go:build e2e

package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot/chart"
	"github.com/setbot/setbot/e2e/mmtest"
	"github.com/setbot/setbot/jira/jiratest"
)

// cycleWeeks adds next week to the rig's rotation (this week: primary
// alice, backup bob, lead carol): primary bob, backup support2, lead dave.
func cycleWeeks(reports string) string {
	monday := time.Now().UTC()
	for monday.Weekday() != time.Monday {
		monday = monday.AddDate(0, 0, -1)
	}
	return fmt.Sprintf(`
[reports]
%s

[[rotation.week]]
starts = %q
primary = "bob"
backup = "support2"
lead = "dave"
`, reports, monday.AddDate(0, 0, 7).Format("2006-01-02"))
}

// TestE2ECycleReports: `@setbot report` lists a ticket of the fake Jira with
// its owner flagged and the assign command; `@setbot report handover` lists
// the outgoing primary's ticket with the command for the incoming primary,
// and the lead's click on "Assign all" reassigns it in Jira.
func TestE2ECycleReports(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, cycleWeeks(`start = ""`+"\n"+`handover = ""`))
	tag := fmt.Sprint(time.Now().UnixNano())
	owned := r.fake.AddIssue(jiratest.Issue{Summary: "Cycle owned " + tag, Assignee: "acc-alice", Priority: "High",
		Updated: time.Now().Add(-50 * time.Hour)})
	loose := r.fake.AddIssue(jiratest.Issue{Summary: "Cycle loose " + tag, Labels: []string{"priority-L1"}})
	done := r.fake.AddIssue(jiratest.Issue{Summary: "Cycle done " + tag, Status: "Done"})
	bot := r.start(t)
	carol := person(t, w, "carol")

	start := ask(t, w, carol, "report", "start of the week").Message
	for _, want := range []string{
		"On SET this week: lead @carol · primary @alice · backup @bob",
		"L2 · Cycle owned " + tag + " · `@alice` · updated 2d 2h ago",
		"- :warning: [" + loose + "](", "L1 · Cycle loose " + tag + " · **unassigned**",
		"`@setbot assign " + loose + " @alice`",
	} {
		if !strings.Contains(start, want) {
			t.Errorf("start report lacks %q:\n%s", want, start)
		}
	}
	if strings.Index(start, loose) > strings.Index(start, owned) || strings.Contains(start, done) {
		t.Errorf("L1 not first, or the done ticket listed:\n%s", start)
	}

	handover := ask(t, w, carol, "report handover", "hand-over")
	for _, want := range []string{
		"Incoming SET team: lead @dave · primary @bob · backup @support2",
		"Cycle owned " + tag + " · `@alice`", "`@setbot assign " + owned + " @bob`",
		"##### Knowledge transfer",
		"##### The outgoing week's record", "| week | tickets filed",
	} {
		if !strings.Contains(handover.Message, want) {
			t.Errorf("hand-over lacks %q:\n%s", want, handover.Message)
		}
	}
	if strings.Contains(handover.Message, loose) {
		t.Errorf("the unassigned ticket is in the outgoing team's list:\n%s", handover.Message)
	}
	checkChart(t, w, handover)

	// alice is not a lead: her click changes nothing.
	alice := person(t, w, "alice")
	if err := alice.Click(context.Background(), handover, "Assign all to @bob"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	mark := carol.Mark()
	if err := carol.Click(ctx, handover, "Assign all to @bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := carol.WaitFor(ctx, mark, mmtest.Containing(carol.FromBot(w.SET.Id, handover.RootId), "is now assigned to @bob"), replyTimeout); err != nil {
		t.Fatalf("no confirmation in the thread: %v\n%s", err, carol.Recent(5))
	}
	if is := issueByKey(t, r.fake, owned); is.Assignee != "acc-bob" {
		t.Errorf("%s assignee %q, want acc-bob", owned, is.Assignee)
	}
	bot.settle(t, w, carol)
	if n := len(carol.Matching(mark, mmtest.Containing(carol.FromBot(w.SET.Id, handover.RootId), "is reassigning"))); n != 1 {
		t.Errorf("%d reassign notes, want 1 (alice's click must not count)", n)
	}
}

// checkChart fails unless post carries one file, set-weeks.png, that
// decodes as a PNG of chart.DefaultWidth × chart.DefaultHeight.
func checkChart(t *testing.T, w *mmtest.World, post *model.Post) {
	t.Helper()
	ctx := context.Background()
	if len(post.FileIds) != 1 {
		t.Fatalf("the post carries %d files, want the chart", len(post.FileIds))
	}
	info, _, err := w.Admin.GetFileInfo(ctx, post.FileIds[0])
	if err != nil {
		t.Fatal(err)
	}
	data, _, err := w.Admin.GetFile(ctx, post.FileIds[0])
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil || info.Name != "set-weeks.png" || cfg.Width != chart.DefaultWidth || cfg.Height != chart.DefaultHeight {
		t.Errorf("the chart %q (%d bytes) decodes as %dx%d, %v; want set-weeks.png, a PNG of %dx%d",
			info.Name, len(data), cfg.Width, cfg.Height, err, chart.DefaultWidth, chart.DefaultHeight)
	}
}

// TestE2ECycleScheduledReportOnce: a start report due earlier today is
// posted late once at start-up, as a root post of ~sustained-engineering,
// and not again after a restart.
func TestE2ECycleScheduledReportOnce(t *testing.T) {
	now := time.Now().UTC()
	if now.Hour() == 23 && now.Minute() > 55 {
		t.Skip("too close to midnight UTC: the report's day would end during the test")
	}
	w := theWorld(t)
	day := now.Weekday().String()[:3]
	r := newRig(t, w, cycleWeeks(fmt.Sprintf("start = \"%s 00:00\"\nhandover = \"\"", day)))
	tag := fmt.Sprint(now.UnixNano())
	key := r.fake.AddIssue(jiratest.Issue{Summary: "Scheduled " + tag, Assignee: "acc-bob"})
	p := person(t, w, "carol")
	ctx := context.Background()
	root := func(post *model.Post) bool {
		return post.RootId == "" && p.FromBot(w.SET.Id, "")(post) && strings.Contains(post.Message, "Scheduled "+tag)
	}
	mark := p.Mark()
	bot := r.start(t)
	got, err := p.WaitFor(ctx, mark, root, replyTimeout)
	if err != nil {
		t.Fatalf("no scheduled report: %v\n%s", err, p.Recent(5))
	}
	for _, want := range []string{"start of the week", "This report was due at " + day + " 00:00 UTC", "[" + key + "]"} {
		if !strings.Contains(got.Message, want) {
			t.Errorf("report lacks %q:\n%s", want, got.Message)
		}
	}
	bot.stop(t)
	r.start(t).settle(t, w, p) // the report timer has run after the restart
	if n := len(p.Matching(mark, root)); n != 1 {
		t.Errorf("%d scheduled reports, want 1:\n%s", n, p.Recent(5))
	}
}
