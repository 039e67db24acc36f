package jira_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/jira/jiratest"
)

// TestOpenTickets lists the open tickets over several pages on Cloud
// (nextPageToken) and Data Center (startAt), every exchange checked against
// the contract by the fake: done tickets are left out, the assignee is
// mapped back through [jira.accounts] or named, the priority is read from
// the label or the Jira priority, and the last update is kept.
func TestOpenTickets(t *testing.T) {
	for _, dc := range []bool{false, true} {
		t.Run(map[bool]string{false: "cloud", true: "datacenter"}[dc], func(t *testing.T) {
			c, fake, _ := setup(t, jiratest.Options{DataCenter: dc})
			bob, alice := "acc-bob", "acc-alice"
			if dc {
				bob, alice = "bob", "alice"
			}
			updated := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			for i := range 120 {
				is := jiratest.Issue{Summary: fmt.Sprintf("ticket %d", i+1), Created: updated.Add(-time.Hour), Updated: updated}
				switch {
				case i%10 == 0:
					is.Status = "Done"
				case i == 1:
					is.Assignee, is.Labels = bob, []string{"priority-L1"}
				case i == 2:
					is.Assignee, is.Priority = alice, "High"
				}
				fake.AddIssue(is)
			}
			got, err := c.OpenTickets(context.Background(), setbot.MaxReportTickets)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 108 {
				t.Fatalf("%d open tickets, want 108 (120 less 12 done)", len(got))
			}
			byKey := map[setbot.IssueKey]setbot.Issue{}
			for _, is := range got {
				byKey[is.Key] = is
				if is.Status == "Done" {
					t.Errorf("%s is done but listed", is.Key)
				}
			}
			// bob's account is carol's in [jira.accounts] (setup's config).
			if is := byKey["SET-2"]; is.Assignee != "carol" || is.AssigneeName != "Bob" || is.Priority != setbot.L1 || !is.Updated.Equal(updated) {
				t.Errorf("SET-2 = %+v, want assignee carol (Bob), L1, updated %s", is, updated)
			}
			if is := byKey["SET-3"]; is.Assignee != "" || is.AssigneeName != "Alice" || is.Priority != setbot.L2 {
				t.Errorf("SET-3 = %+v, want Alice by display name only, L2 from priority High", is)
			}
			if is := byKey["SET-4"]; is.Assignee != "" || is.AssigneeName != "" || is.Priority != setbot.PriorityUnset || !strings.HasSuffix(is.URL, "/browse/SET-4") {
				t.Errorf("SET-4 = %+v, want unassigned, unset", is)
			}
			searches := 0
			for _, r := range fake.Requests() {
				if strings.Contains(r.Path, "/search") {
					searches++
					if !strings.Contains(string(r.Body), `statusCategory != Done`) {
						t.Errorf("search without the open-ticket restriction: %s", r.Body)
					}
				}
			}
			if searches != 3 {
				t.Errorf("%d search pages for 108 tickets, want 3 of 50", searches)
			}
			if few, err := c.OpenTickets(context.Background(), 7); err != nil || len(few) != 7 {
				t.Errorf("max 7: %d tickets, %v", len(few), err)
			}
		})
	}
}

func TestOpenTicketsUnavailable(t *testing.T) {
	c, fake, _ := setup(t, jiratest.Options{})
	for range 5 {
		fake.Inject(jiratest.Fault{Status: 503})
	}
	_, err := c.OpenTickets(context.Background(), 10)
	if setbot.ErrorCode(err) != setbot.EUnavailable {
		t.Fatalf("err = %v, want EUnavailable", err)
	}
	if msg := setbot.ErrorMessage(err); strings.Contains(msg, token) || msg == setbot.InternalMessage {
		t.Errorf("message %q", msg)
	}
}
