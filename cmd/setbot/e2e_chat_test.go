//go:build e2e

package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot/e2e/chat"
)

// chatIntake is the standard intake typed into setbot-chat: the offer's
// first button (Start) is pressed by its number, and the files are the
// client's own samples, uploaded by name.
const chatIntake = `# one intake, end to end, through setbot-chat
` + highCPUIntake + `
/expect Shall I open a SET ticket
1
/expect one-line summary
ok
/expect What exactly is affected
server: GET /api/v4/users/me takes 20 s
/expect Which customer
Acme Corp, about 2,000 of 5,000 users
/expect What can those users not do
nobody can post during business hours; no workaround
/expect bug, a feature request
bug
/expect Which priority
L2
/expect config.json
/upload config.json
/expect redacted
/upload mattermost.log
/expect Any more
done
/expect CPU profile
/upload cpu.pprof
/expect Anything else
skip
/expect Please check the ticket
confirm
/expect Filed [SET-
/quit
`

// TestE2EChatScriptedIntake drives setbot-chat (package e2e/chat, in-process)
// with a script against the real server and setbot: the ticket is filed once
// and the client shows its link as text.
func TestE2EChatScriptedIntake(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "")
	r.start(t)
	samples := t.TempDir()
	if err := chat.WriteSamples(samples); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out syncBuffer
	err := chat.Script(ctx, chat.Options{URL: w.URL, User: "support1", Samples: samples, Wait: 60 * time.Second, History: chat.DefaultHistory},
		strings.NewReader(chatIntake), &out)
	if err != nil {
		t.Fatalf("the script failed: %s\nclient output:\n%s", chat.Say(err), lastLines(out.String(), 80))
	}
	issues := r.fake.Issues()
	if len(issues) != 1 {
		t.Fatalf("want exactly one ticket filed, got %d\nclient output:\n%s", len(issues), lastLines(out.String(), 80))
	}
	key := issues[0].Key
	link := key + " (" + r.fake.URL() + "/browse/" + key + ")"
	got := out.String()
	for _, want := range []string{"pressed [1] Start", "[file] config.json", "[file] cpu.pprof", "Filed " + link} {
		if !strings.Contains(got, want) {
			t.Errorf("the client's output lacks %q\nclient output:\n%s", want, lastLines(got, 80))
		}
	}
	if strings.Contains(got, "](") || strings.Contains(got, "\x1b[") {
		t.Errorf("the client's script output has raw Markdown links or terminal escapes:\n%s", lastLines(got, 80))
	}
	if t.Failed() || testing.Verbose() {
		t.Logf("client output:\n%s", lastLines(got, 120))
	}
}
