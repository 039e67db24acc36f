package dispatch

import (
	"strings"
	"testing"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts/artifactstest"
)

// TestChoosingL1PagesAtOnceAndSharesOneThread: the moment an intake is
// marked L1, SET is paged with what is known (before the remaining
// questions); once filed, the ticket's announcement and the incident join
// the page's thread instead of starting another.
func TestChoosingL1PagesAtOnceAndSharesOneThread(t *testing.T) {
	r := newTicketRig(t)
	r.chat.files = map[setbot.FileID]setbot.File{"f-log": {ID: "f-log", Name: "mattermost.log", Content: setbot.Content{Data: artifactstest.JSONLog(3)}, Size: 400}}
	for _, text := range []string{"Login fails with 500 for LDAP users on 10.11.4 with PostgreSQL 15", "yes", "ok",
		"server: POST /api/v4/users/login", "Acme, 50 users", "LDAP users cannot log in", "bug"} {
		r.dm(text)
	}
	r.drain(t)
	r.chat.take()
	r.dm("L1")
	r.drain(t)
	posts, ids := r.chat.takeWithIDs()
	var root setbot.PostID
	for i, p := range posts {
		if p.ChannelID == "c-set" && p.RootID == "" && strings.Contains(p.Text, "**Automatic page**") {
			root = ids[i]
			if !strings.Contains(p.Text, "Acme, 50 users") || !strings.Contains(p.Text, "Login fails with 500") {
				t.Errorf("the page lacks what is known: %q", p.Text)
			}
		}
	}
	if root == "" {
		t.Fatalf("choosing L1 did not page:\n%s", texts(posts))
	}
	if dm := lastDM(t, posts); !strings.Contains(dm.Text, "paging the SET team now") {
		t.Errorf("the DM does not say SET is paged: %q", dm.Text)
	}

	for _, text := range []string{"not available: customer policy"} {
		r.dm(text)
	}
	r.dm("", "f-log")
	for _, text := range []string{"done", "none", "skip"} {
		r.dm(text)
	}
	r.drain(t)
	r.dm("confirm")
	r.drain(t)
	if r.jira.filed != 1 {
		t.Fatalf("filed %d tickets, want 1", r.jira.filed)
	}
	posts = r.chat.take()
	var inThread, elsewhere []string
	for _, p := range posts {
		switch {
		case p.ChannelID == "c-set" && p.RootID == root:
			inThread = append(inThread, p.Text)
		case p.ChannelID == "c-set":
			elsewhere = append(elsewhere, p.Text)
		}
	}
	if len(inThread) != 1 || !strings.Contains(inThread[0], "New SET ticket [SET-900]") || len(elsewhere) != 0 {
		t.Errorf("after filing: in the page's thread %q, elsewhere in the channel %q; want the announcement once, in the thread", inThread, elsewhere)
	}
	in, ok, err := r.db.Incident("SET-900")
	if err != nil || !ok || in.Root != root {
		t.Errorf("incident %+v (%v %v): want it in the page's thread %s", in, ok, err, root)
	}
}

// TestFeatureRequestIsRoutedToTheOtherTeam: with [routing], a feature
// request is filed through the routing tracker, announced in the routing
// channel and not in ~sustained-engineering, and the reporter gets the
// link; SET's Jira project is not touched.
func TestFeatureRequestIsRoutedToTheOtherTeam(t *testing.T) {
	r := newTicketRig(t)
	route := &fakeTracker{}
	cfg := r.d.c.cfg
	cfg.RouteChannel = "c-pm"
	r.d = New(cfg, r.chat, r.db, Extensions{Tracker: r.jira, Route: route})
	for _, text := range []string{"A customer asks for custom emoji in channel headers", "yes", "ok",
		"web app: the channel header editor", "Initech, all 300 users", "they cannot use their emoji in headers",
		"feature request", "L3", "skip", "confirm"} {
		r.dm(text)
	}
	r.drain(t)
	if route.filed != 1 || r.jira.filed != 0 {
		t.Fatalf("routed %d, filed with SET %d: want it routed once", route.filed, r.jira.filed)
	}
	posts := r.chat.take()
	for _, p := range posts {
		if p.ChannelID == "c-set" {
			t.Errorf("announced in ~sustained-engineering: %q", p.Text)
		}
	}
	var pm bool
	for _, p := range posts {
		pm = pm || p.ChannelID == "c-pm" && strings.Contains(p.Text, "[SET-900]")
	}
	if dm := lastDM(t, posts); !pm || !strings.Contains(dm.Text, "Filed [SET-900]") {
		t.Errorf("routing channel told %v, DM %q", pm, dm.Text)
	}
	if calls := route.takeCalls(); len(calls) != 1 || !strings.HasPrefix(calls[0], "file ") {
		t.Errorf("routing tracker calls %q", calls)
	}
}
