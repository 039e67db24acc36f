package dispatch

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts/artifactstest"
	"github.com/setbot/setbot/conversations"
	"github.com/setbot/setbot/store"
)

// dm handles a DM from sam to the bot.
func (r *ticketRig) dm(text string, files ...setbot.FileID) {
	r.seq++
	r.d.handle(context.Background(), setbot.Message{ID: setbot.PostID("d" + string(rune('a'+r.seq))), ChannelID: "dm-sam",
		Kind: setbot.ChannelDM, UserID: "u-sam", Username: "sam", Text: text, FileIDs: files, At: r.now})
}

// phase is sam's stored conversation phase ("" when none).
func (r *ticketRig) phase(t *testing.T) conversations.Phase {
	t.Helper()
	var s conversations.State
	err := r.db.Update(r.now, func(tx *store.Tx) error {
		if raw := tx.Conversation("u-sam"); raw != nil {
			return json.Unmarshal(raw, &s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s.Phase
}

// intakeToCheck plays sam's DM intake up to its last answer, with one log
// file: the conversation then waits for the similar-ticket search.
func (r *ticketRig) intakeToCheck(t *testing.T) {
	t.Helper()
	r.chat.files = map[setbot.FileID]setbot.File{"f-log": {ID: "f-log", Name: "mattermost.log", Content: setbot.Content{Data: artifactstest.JSONLog(3)}, Size: 400}}
	for _, text := range []string{"Login fails with 500 for LDAP users on 10.11.4 with PostgreSQL 15", "yes", "ok",
		"server: POST /api/v4/users/login", "Acme, 50 users", "LDAP users cannot log in", "bug", "L2", "not available: customer policy"} {
		r.dm(text)
	}
	r.dm("", "f-log")
	for _, text := range []string{"done", "none", "skip"} {
		r.dm(text)
	}
	if p := r.phase(t); p != conversations.PhaseChecking {
		t.Fatalf("phase %q after the last answer, want checking", p)
	}
	r.chat.take()
}

// lastDM is the last post to sam's DM.
func lastDM(t *testing.T, posts []setbot.Reply) setbot.Reply {
	t.Helper()
	for i := len(posts) - 1; i >= 0; i-- {
		if posts[i].To == "u-sam" {
			return posts[i]
		}
	}
	t.Fatalf("no DM among %+v", posts)
	return setbot.Reply{}
}

func TestIntakeAddedToSimilarTicket(t *testing.T) {
	r := newTicketRig(t)
	r.jira.similar = []setbot.Issue{{Key: "SET-7", URL: "https://jira.example.com/browse/SET-7", Summary: "LDAP login fails", Status: "In Progress"}}
	r.intakeToCheck(t)
	r.drain(t)
	review := lastDM(t, r.chat.take())
	if !strings.Contains(review.Text, "[SET-7](https://jira.example.com/browse/SET-7)") || len(review.Buttons) != 3 || review.Buttons[0].Label != "Add to SET-7" {
		t.Fatalf("review %q buttons %+v", review.Text, review.Buttons)
	}
	if got := r.d.Click(context.Background(), setbot.Click{UserID: "u-sam", Username: "sam", Action: review.Buttons[0].Action}); got != "" {
		t.Fatalf("click answered %q", got)
	}
	r.drain(t)
	if r.jira.filed != 0 || len(r.jira.comments) != 1 {
		t.Fatalf("filed %d, comments %d: want a comment, not a ticket", r.jira.filed, len(r.jira.comments))
	}
	c := r.jira.comments[0]
	if c.key != "SET-7" || !strings.Contains(c.text, "Login fails with 500 for LDAP users") || !strings.Contains(c.text, "Acme, 50 users") ||
		len(c.files) != 1 || c.files[0].Name != "mattermost.log" || c.files[0].Content.Len() == 0 {
		t.Fatalf("comment %+v", c)
	}
	posts := r.chat.take()
	if dm := lastDM(t, posts); !strings.Contains(dm.Text, "Added your description and files to [SET-7]") {
		t.Errorf("DM %q", dm.Text)
	}
	var toSET bool
	for _, p := range posts {
		toSET = toSET || p.ChannelID == "c-set" && strings.Contains(p.Text, "added another report")
	}
	if !toSET || r.phase(t) != "" || r.pending(t) != 0 {
		t.Errorf("SET told %v, phase %q, jobs %d", toSET, r.phase(t), r.pending(t))
	}
}

func TestIntakeGoesOnWhenSearchFails(t *testing.T) {
	r := newTicketRig(t)
	r.jira.similar = []setbot.Issue{{Key: "SET-7"}}
	r.jira.err, r.jira.fail = setbot.Errorf(setbot.EUnavailable, "Jira answered 503."), 1
	r.intakeToCheck(t)
	r.drain(t)
	review := lastDM(t, r.chat.take())
	if !strings.Contains(review.Text, "Please check the ticket") || strings.Contains(review.Text, "SET-7") || review.Buttons[0].Label != "File ticket" {
		t.Fatalf("review %q", review.Text)
	}
	r.dm("confirm")
	r.drain(t)
	if r.jira.filed != 1 || len(r.jira.comments) != 0 {
		t.Fatalf("filed %d comments %d", r.jira.filed, len(r.jira.comments))
	}
	// The week's record will count it, at its level.
	if l, err := r.db.WeekLog(); err != nil || len(l.Filed) != 1 || l.Filed[0].Level != setbot.L2 || !l.Filed[0].At.Equal(r.now) {
		t.Errorf("week log filings = %+v, %v; want the one L2 ticket", l.Filed, err)
	}
}

func TestIntakeFileNewAfterOffer(t *testing.T) {
	r := newTicketRig(t)
	r.jira.similar = []setbot.Issue{{Key: "SET-7"}, {Key: "SET-8"}}
	r.intakeToCheck(t)
	r.drain(t)
	r.chat.take()
	r.dm("new")
	r.drain(t)
	if r.jira.filed != 1 || len(r.jira.comments) != 0 {
		t.Fatalf("filed %d comments %d", r.jira.filed, len(r.jira.comments))
	}
}

func TestAddRefusedGoesBackToReview(t *testing.T) {
	r := newTicketRig(t)
	r.jira.similar = []setbot.Issue{{Key: "SET-7"}}
	r.intakeToCheck(t)
	r.drain(t)
	r.chat.take()
	r.jira.err = setbot.Errorf(setbot.EForbidden, "setbot's Jira account may not comment on SET-7.")
	r.dm("add SET-7")
	r.drain(t)
	if dm := lastDM(t, r.chat.take()); !strings.Contains(dm.Text, "I could not add your report to SET-7: setbot's Jira account may not comment on SET-7.") {
		t.Fatalf("DM %q", dm.Text)
	}
	if r.phase(t) != conversations.PhaseReview {
		t.Fatalf("phase %q", r.phase(t))
	}
}

// TestSimilarSearchSurvivesRestart: the search decided before a restart runs after
// it, and the review comes.
func TestSimilarSearchSurvivesRestart(t *testing.T) {
	r := newTicketRig(t)
	r.jira.similar = []setbot.Issue{{Key: "SET-7"}}
	r.intakeToCheck(t)
	r.restart(t)
	r.drain(t)
	if review := lastDM(t, r.chat.take()); !strings.Contains(review.Text, "look similar") || review.Buttons[0].Label != "Add to SET-7" {
		t.Fatalf("after restart: %q %+v", review.Text, review.Buttons)
	}
}

// TestConfigProblemQueuesTheTicketAndTellsAdminsOnce: Jira refusing a
// ticket because of setbot's settings (or access) keeps the ticket queued:
// the support engineer is told once, plainly, that it is queued; the
// admins once, with the key to fix; and once fixed, JiraBack files it
// without waiting out the backoff, exactly once.
func TestConfigProblemQueuesTheTicketAndTellsAdminsOnce(t *testing.T) {
	r := newTicketRig(t)
	r.jira.failing("file", setbot.Errorf(setbot.EUnconfigured, "jira.issue_types.bug: Jira has no issue type \"Bug\" in project SET."))
	r.intakeToCheck(t)
	r.drain(t)
	r.chat.take()
	r.dm("confirm")
	var admin, told []string
	for range 3 { // three attempts, a backoff apart
		r.drain(t)
		for _, p := range r.chat.take() {
			if p.ChannelID == "c-set" {
				admin = append(admin, p.Text)
			} else {
				told = append(told, p.Text)
			}
		}
		r.now = r.now.Add(retryCap)
	}
	if len(admin) != 1 || !strings.HasPrefix(admin[0], "@erin:") || !strings.Contains(admin[0], "jira.issue_types.bug") {
		t.Errorf("notes to the admins: %q, want one naming the key", admin)
	}
	queued := 0
	for _, s := range told {
		if strings.Contains(s, "jira.") {
			t.Errorf("the support engineer was told a configuration key: %q", s)
		}
		if strings.Contains(s, "your ticket is queued") {
			queued++
		}
	}
	if queued != 1 || r.jira.filed != 0 || r.pending(t) != 1 {
		t.Fatalf("told %q; filed %d, %d jobs waiting; want queued once, nothing filed, the filing waiting", told, r.jira.filed, r.pending(t))
	}
	// An admin fixes it; the Jira check finds Jira accepting setbot again.
	r.jira.failing("file", nil)
	r.d.JiraBack()
	r.drain(t)
	if r.jira.filed != 1 || r.pending(t) != 0 {
		t.Fatalf("after the fix: filed %d, %d jobs waiting", r.jira.filed, r.pending(t))
	}
	if dm := lastDM(t, r.chat.take()); !strings.Contains(dm.Text, "Filed") {
		t.Errorf("the support engineer was not sent the link: %q", dm.Text)
	}
}
