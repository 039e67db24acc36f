package dispatch

import (
	"context"
	"strings"
	"testing"

	"github.com/setbot/setbot"
)

// TestDMCommandDuringIntake: in the middle of an intake, "update SET-7 …"
// by DM is the command (recorded, not taken as an answer), while an answer
// that merely starts with a command word stays an answer.
func TestDMCommandDuringIntake(t *testing.T) {
	r := newIncRig(t)
	r.ask(t, "alice", "incident SET-7 L2")
	dm := func(text string) []setbot.Reply {
		r.seq++
		r.d.handle(context.Background(), setbot.Message{ID: setbot.PostID("dm" + string(rune('a'+r.seq))), ChannelID: "dm-alice",
			Kind: setbot.ChannelDM, UserID: "u-alice", Username: "alice", Text: text, At: r.now})
		r.drain(t)
		return r.chat.take()
	}
	dm("Update fails with 500 for LDAP users on 10.11.4") // starts an intake (an offer)
	dm("yes")
	got := dm("update SET-7 Mitigated: the proxy was dropping the push connection")
	if !strings.Contains(texts(got), "recorded the update on SET-7") {
		t.Fatalf("update by DM during an intake:\n%s", texts(got))
	}
	if in := r.incident(t, "SET-7"); in.LastUpdate.IsZero() {
		t.Error("the update was not recorded")
	}
	got = dm("who")
	if !strings.Contains(texts(got), "alice") || strings.Contains(texts(got), "summary") {
		t.Errorf("who by DM during an intake:\n%s", texts(got))
	}
}
