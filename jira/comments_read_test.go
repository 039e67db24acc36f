package jira_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/jira"
	"github.com/setbot/setbot/jira/jiratest"
)

// accountsOf are the fake's ids of bob (carol's account in setup's
// [jira.accounts]) and alice (not mapped) on each deployment.
func accountsOf(dc bool) (bob, alice string) {
	if dc {
		return "bob", "alice"
	}
	return "acc-bob", "acc-alice"
}

// TestLastHumanComment reads the newest comment by a person on Cloud and
// Data Center, every exchange checked against the contract by the fake:
// setbot's own comments (made through the API, newer) are skipped, the
// author is mapped back through [jira.accounts], and setbot's own account
// is read once.
func TestLastHumanComment(t *testing.T) {
	for _, dc := range []bool{false, true} {
		t.Run(map[bool]string{false: "cloud", true: "datacenter"}[dc], func(t *testing.T) {
			c, fake, _ := setup(t, jiratest.Options{DataCenter: dc})
			bob, alice := accountsOf(dc)
			ctx := context.Background()
			key := fake.AddIssue(jiratest.Issue{Summary: "checkout down"})
			now := time.Now().UTC().Truncate(time.Millisecond)
			fake.AddCommentAt(key, alice, "looking", now.Add(-3*time.Hour))
			fake.AddCommentAt(key, bob, "customer restarted the cluster", now.Add(-2*time.Hour))
			if err := c.Comment(ctx, setbot.IssueKey(key), "Status update from @alice (posted in Mattermost through setbot)", nil); err != nil {
				t.Fatal(err)
			}
			at, by, found, err := c.LastHumanComment(ctx, setbot.IssueKey(key))
			if err != nil || !found || !at.Equal(now.Add(-2*time.Hour)) || by != "carol" {
				t.Fatalf("LastHumanComment = %v %q %v %v; want bob's at %v, mapped back to carol", at, by, found, err, now.Add(-2*time.Hour))
			}
			fake.AddCommentAt(key, alice, "fixed", now.Add(time.Minute))
			at, by, found, err = c.LastHumanComment(ctx, setbot.IssueKey(key))
			if err != nil || !found || !at.Equal(now.Add(time.Minute)) || by != "" {
				t.Fatalf("LastHumanComment = %v %q %v %v; want alice's, with no Mattermost name", at, by, found, err)
			}
			myself := 0
			for _, r := range fake.Requests() {
				if strings.HasSuffix(r.Path, "/myself") {
					myself++
				}
				if strings.HasSuffix(r.Path, "/comment") && r.Method == "GET" && !strings.Contains(r.Query, "orderBy=-created") {
					t.Errorf("comments read without orderBy=-created: %s", r.Query)
				}
			}
			if myself != 1 {
				t.Errorf("GET /myself made %d times, want once", myself)
			}
		})
	}
}

// TestLastHumanCommentOnlySetbot: a ticket with no comment, or only
// setbot's, has no human comment.
func TestLastHumanCommentOnlySetbot(t *testing.T) {
	for _, dc := range []bool{false, true} {
		t.Run(map[bool]string{false: "cloud", true: "datacenter"}[dc], func(t *testing.T) {
			c, fake, _ := setup(t, jiratest.Options{DataCenter: dc})
			ctx := context.Background()
			key := setbot.IssueKey(fake.AddIssue(jiratest.Issue{Summary: "slow"}))
			if _, _, found, err := c.LastHumanComment(ctx, key); found || err != nil {
				t.Fatalf("no comments: found %v, err %v", found, err)
			}
			for range 3 {
				if err := c.Comment(ctx, key, "update", nil); err != nil {
					t.Fatal(err)
				}
			}
			if at, _, found, err := c.LastHumanComment(ctx, key); found || err != nil {
				t.Fatalf("only setbot's comments: found %v at %v, err %v", found, at, err)
			}
		})
	}
}

// TestLastHumanCommentPages: a person's comment behind more than a page
// of setbot's newer comments is found on a later page.
func TestLastHumanCommentPages(t *testing.T) {
	c, fake, _ := setup(t, jiratest.Options{CommentPage: 4})
	ctx := context.Background()
	key := fake.AddIssue(jiratest.Issue{Summary: "slow"})
	person := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	fake.AddCommentAt(key, "acc-bob", "status", person)
	for range 10 {
		if err := c.Comment(ctx, setbot.IssueKey(key), "update", nil); err != nil {
			t.Fatal(err)
		}
	}
	at, by, found, err := c.LastHumanComment(ctx, setbot.IssueKey(key))
	if err != nil || !found || !at.Equal(person) || by != "carol" {
		t.Fatalf("LastHumanComment = %v %q %v %v; want bob's (carol) at %v", at, by, found, err, person)
	}
	pages := 0
	for _, r := range fake.Requests() {
		if strings.HasSuffix(r.Path, "/comment") && r.Method == "GET" {
			pages++
		}
	}
	if pages != 3 {
		t.Errorf("read %d pages, want 3 (4+4+3 comments)", pages)
	}
}

// TestLastHumanCommentJiraDown: a failing Jira gives EUnavailable with a
// sentence, logged at warning level without the token.
func TestLastHumanCommentJiraDown(t *testing.T) {
	var logs bytes.Buffer
	c, fake, _ := setupWith(t, jiratest.Options{}, []jira.Option{jira.WithLogger(zerolog.New(&logs)), jira.WithRetry(2, time.Millisecond, time.Millisecond)})
	key := setbot.IssueKey(fake.AddIssue(jiratest.Issue{Summary: "slow"}))
	fake.Inject(jiratest.Fault{Status: 503}, jiratest.Fault{Status: 503})
	_, _, found, err := c.LastHumanComment(context.Background(), key)
	if found || setbot.ErrorCode(err) != setbot.EUnavailable || !strings.Contains(setbot.ErrorMessage(err), "Jira is not answering") {
		t.Fatalf("found %v, err %v; want EUnavailable", found, err)
	}
	if !strings.Contains(logs.String(), `"level":"warn"`) || strings.Contains(logs.String(), `"level":"error"`) {
		t.Errorf("want one warning, no error:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), token) {
		t.Error("the token leaked into the logs")
	}
	// Jira is back: the account is read then, and the answer is right.
	if _, _, found, err := c.LastHumanComment(context.Background(), key); found || err != nil {
		t.Errorf("after the outage: found %v, err %v", found, err)
	}
}

// BenchmarkLastHumanComment is one question over loopback: a person's
// comment newest (one page), or behind 50 of setbot's newer ones (three
// pages of humanCommentPage).
func BenchmarkLastHumanComment(b *testing.B) {
	for _, behind := range []int{0, 50} {
		b.Run(map[int]string{0: "newest", 50: "behind-50"}[behind], func(b *testing.B) {
			c, fake := benchClient(b)
			ctx := context.Background()
			key := fake.AddIssue(jiratest.Issue{Summary: "busy"})
			fake.AddCommentAt(key, "acc-bob", "status", time.Now().Add(-time.Hour))
			for range behind {
				if err := c.Comment(ctx, setbot.IssueKey(key), "noise", nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, found, err := c.LastHumanComment(ctx, setbot.IssueKey(key)); !found || err != nil {
					b.Fatal(found, err)
				}
			}
		})
	}
}
