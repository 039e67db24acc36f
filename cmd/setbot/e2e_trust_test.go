//go:build e2e

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot/e2e/mmtest"
)

// TestE2EOutsiderAckLeavesTheLadderRunning: dave (on no rotation) writes
// "@setbot ack" in the page's thread and "ack" by DM; both are refused,
// and the backup is paged when the primary's time runs out.
func TestE2EOutsiderAckLeavesTheLadderRunning(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "[escalation]\nack_within = \"6s\"\n")
	r.start(t)
	ctx := context.Background()
	sup := person(t, w, "support1")
	alice, bob := newPager(t, w, "alice"), newPager(t, w, "bob")
	dave := newChatter(t, w, "dave")
	aliceMark, bobMark := alice.p.Mark(), bob.p.Mark()
	text := fmt.Sprintf("the push proxy is down (outsider %d)", time.Now().UnixNano())
	post, err := sup.Post(ctx, w.SET.Id, "", "@setbot page "+text)
	if err != nil {
		t.Fatal(err)
	}
	alice.waitPaged(t, aliceMark, "primary", text, replyTimeout)

	mark := dave.p.Mark()
	ack, err := dave.p.Post(ctx, w.SET.Id, post.Id, "@setbot ack")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dave.p.WaitFor(ctx, mark, mmtest.Containing(dave.p.FromBot(w.SET.Id, post.Id), "Only the people this page paged"), replyTimeout); err != nil {
		t.Fatalf("the outsider's ack in the thread (%s) was not refused: %v\n%s", ack.Id, err, dave.p.Recent(5))
	}
	dave.say("ack", "No open page paged you")
	bob.waitPaged(t, bobMark, "backup", text, replyTimeout)
}

// TestE2EWebhookPostingAsTheLeadChangesNothing: an incoming webhook, with
// username override on, posts "@setbot override …" as the lead carol in
// ~sustained-engineering; setbot does not answer it and the rotation keeps
// its seats.
func TestE2EWebhookPostingAsTheLeadChangesNothing(t *testing.T) {
	w := theWorld(t)
	ctx := context.Background()
	patch := &model.Config{ServiceSettings: model.ServiceSettings{
		EnableIncomingWebhooks: model.NewPointer(true), EnablePostUsernameOverride: model.NewPointer(true)}}
	if _, _, err := w.Admin.PatchConfig(ctx, patch); err != nil {
		t.Fatal(err)
	}
	hook, _, err := w.Admin.CreateIncomingWebhook(ctx, &model.IncomingWebhook{ChannelId: w.SET.Id, DisplayName: "e2e impostor"})
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, w, "")
	bot := r.start(t)
	carol := person(t, w, "carol")
	mark := carol.Mark()
	const command = "@setbot override this primary @dave"
	body, _ := json.Marshal(map[string]string{"username": "carol", "text": command})
	res, err := http.Post(w.URL+"/hooks/"+hook.Id, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("webhook answered %d", res.StatusCode)
	}
	hookPost, err := carol.WaitFor(ctx, mark, func(p *model.Post) bool {
		return p.ChannelId == w.SET.Id && p.Message == command
	}, replyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	bot.settle(t, w, carol)
	if got := carol.Matching(mark, carol.FromBot(w.SET.Id, hookPost.Id)); len(got) != 0 {
		t.Fatalf("setbot answered the webhook's post: %q", got[0].Message)
	}
	who := ask(t, w, carol, "who", "primary")
	if strings.Contains(who.Message, "dave") || !strings.Contains(who.Message, "alice") {
		t.Errorf("after the webhook's override, who says:\n%s", who.Message)
	}
}

// rename changes a person's username on the server (as an admin can).
func rename(t *testing.T, w *mmtest.World, id, name string) {
	t.Helper()
	if _, _, err := w.Admin.PatchUser(context.Background(), id, &model.UserPatch{Username: model.NewPointer(name)}); err != nil {
		t.Fatalf("rename %s to %s: %v", id, name, err)
	}
}

// TestE2ERenamedToAListedNameGainsNothing: the lead carol renames herself
// away and dave takes the name "carol"; dave's override is refused, and
// carol, under her new name, still may.
func TestE2ERenamedToAListedNameGainsNothing(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "")
	bot := r.start(t)
	carolID, daveID := w.Users["carol"].Id, w.Users["dave"].Id
	carol, dave := person(t, w, "carol"), person(t, w, "dave")
	bot.settle(t, w, carol) // the rotation's names are pinned at start-up
	t.Cleanup(func() {
		rename(t, w, daveID, "dave")
		rename(t, w, carolID, "carol")
	})
	rename(t, w, carolID, "carol-away")
	rename(t, w, daveID, "carol")
	got := ask(t, w, dave, "override next backup @dave", "leads")
	if !strings.Contains(got.Message, "only the current and next SET leads") {
		t.Fatalf("the impostor's override was not refused:\n%s", got.Message)
	}
	got = ask(t, w, carol, "override next backup @bob", "Done")
	if !strings.Contains(got.Message, "`@bob` is backup") {
		t.Errorf("the renamed lead's override:\n%s", got.Message)
	}
}
