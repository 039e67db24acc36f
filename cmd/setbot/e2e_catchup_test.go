//go:build e2e

package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// TestE2ECatchUpReadsPastAThousandPosts: while setbot is down, 1,100 posts
// are made in a channel it is in, eleven of them mentioning it; after the
// restart every mention is answered once, although Mattermost returns at
// most 1,000 posts to GetPostsSince.
func TestE2ECatchUpReadsPastAThousandPosts(t *testing.T) {
	w := theWorld(t)
	ctx := context.Background()
	cfg := botConfig(t, w, t.TempDir(), "")
	bot := start(t, cfg)
	p := person(t, w, "support1")
	mark := p.Mark()
	first, err := p.Post(ctx, w.SET.Id, "", "@setbot help")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, mark, p.FromBot(w.SET.Id, first.Id), replyTimeout); err != nil {
		t.Fatal(err) // setbot has handled a post: catch-up has a cursor to start from
	}
	bot.stop(t)

	room, err := w.Channel(ctx, fmt.Sprintf("flood-%d", time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	const posts, every = 1100, 100
	var mentions []*model.Post
	for i := range posts {
		text := fmt.Sprintf("flood %d", i)
		if i%every == 0 {
			text = fmt.Sprintf("@setbot help (%d)", i)
		}
		post, err := p.Post(ctx, room.Id, "", text)
		if err != nil {
			t.Fatal(err)
		}
		if i%every == 0 {
			mentions = append(mentions, post)
		}
	}
	bot = start(t, cfg)
	for _, m := range mentions {
		if _, err := p.WaitFor(ctx, mark, p.FromBot(room.Id, m.Id), replyTimeout); err != nil {
			t.Errorf("the mention %q made while setbot was down was not answered: %v", m.Message, err)
		}
	}
	bot.settle(t, w, p)
	for _, m := range mentions {
		if n := len(p.Matching(mark, p.FromBot(room.Id, m.Id))); n != 1 {
			t.Errorf("the mention %q was answered %d times, want once", m.Message, n)
		}
	}
}
