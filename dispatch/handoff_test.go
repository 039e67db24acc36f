package dispatch

import (
	"context"
	"strings"
	"testing"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts/artifactstest"
	"github.com/setbot/setbot/conversations"
)

// inThread returns the posts made in ~sustained-engineering's thread root.
func inThread(posts []setbot.Reply, root setbot.PostID) []string {
	var out []string
	for _, p := range posts {
		if p.ChannelID == "c-set" && p.RootID == root {
			out = append(out, p.Text)
		}
	}
	return out
}

// TestTicketInThreadPostsOnceAtStartAndOnceWhenFiled: `@setbot ticket` in a
// thread answers there once (the intake continues in a DM), and the filed
// ticket's link comes back to that thread once.
func TestTicketInThreadPostsOnceAtStartAndOnceWhenFiled(t *testing.T) {
	r := newTicketRig(t)
	r.chat.files = map[setbot.FileID]setbot.File{"f-log": {ID: "f-log", Name: "mattermost.log", Content: setbot.Content{Data: artifactstest.JSONLog(3)}, Size: 400}}
	const root = setbot.PostID("p-root")
	r.chat.messages = map[setbot.PostID]setbot.Message{root: {ID: root, Text: "Login fails with 500 for LDAP users"}}
	r.d.handle(context.Background(), setbot.Message{ID: "m-ticket", ChannelID: "c-set", RootID: root, Kind: setbot.ChannelSET,
		UserID: "u-sam", Username: "sam", Text: "@setbot ticket", Mentioned: true, At: r.now})
	r.drain(t)
	start := inThread(r.chat.take(), root)
	if len(start) != 1 || !strings.Contains(start[0], "direct message") {
		t.Fatalf("posts in the thread at the start: %q, want one that says we continue in a DM", start)
	}

	for _, text := range []string{"ok", "server: POST /api/v4/users/login", "Acme, 50 users", "LDAP users cannot log in",
		"bug", "L3", "10.11.4", "PostgreSQL 15", "not available: customer policy"} {
		r.dm(text)
	}
	r.dm("", "f-log")
	for _, text := range []string{"done", "none", "skip"} {
		r.dm(text)
	}
	r.drain(t) // the similar search: nothing similar, so the review
	r.dm("confirm")
	r.drain(t)
	if r.jira.filed != 1 || r.phase(t) != conversations.Phase("") {
		t.Fatalf("filed %d, phase %q: want one ticket and the intake over", r.jira.filed, r.phase(t))
	}
	filed := inThread(r.chat.take(), root)
	if len(filed) != 1 || !strings.Contains(filed[0], "[SET-900]") {
		t.Errorf("posts in the thread after filing: %q, want the link once", filed)
	}
}
