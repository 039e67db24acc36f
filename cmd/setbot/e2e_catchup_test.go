//go:build e2e

package main

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot/e2e/mmtest"
)

// TestE2ECatchUpReadsPastAThousandPosts: while setbot is down, 1,100 posts
// are made in a channel it is in, eleven of them mentioning it; after the
// restart every mention is answered once, although Mattermost returns at
// most 1,000 posts to GetPostsSince.
func TestE2ECatchUpReadsPastAThousandPosts(t *testing.T) {
	w := theWorld(t)
	room, err := w.Channel(context.Background(), fmt.Sprintf("flood-%d", time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	catchUpAfterFlood(t, w, room.Id, 1100, 100)
}

// catchUpAfterFlood stops setbot (once it has a cursor), makes n posts in
// channel ch, every every-th mentioning setbot, starts it again, and checks
// that every mention is answered exactly once. It returns how long the
// answers took after the restart.
func catchUpAfterFlood(t *testing.T, w *mmtest.World, ch string, n, every int) time.Duration {
	t.Helper()
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
	mentions := flood(t, p, ch, n, every)
	restarted := time.Now()
	bot = start(t, cfg)
	for _, m := range mentions {
		if _, err := p.WaitFor(ctx, mark, p.FromBot(ch, m.Id), replyTimeout); err != nil {
			t.Errorf("the mention %q made while setbot was down was not answered: %v", m.Message, err)
		}
	}
	took := time.Since(restarted)
	bot.settle(t, w, p)
	for _, m := range mentions {
		if got := len(p.Matching(mark, p.FromBot(ch, m.Id))); got != 1 {
			t.Errorf("the mention %q was answered %d times, want once", m.Message, got)
		}
	}
	return took
}

// flood makes n posts in ch as p from four writers at once, every
// every-th one "@setbot help (i)", and returns the mentions.
func flood(t *testing.T, p *mmtest.Person, ch string, n, every int) []*model.Post {
	t.Helper()
	const writers = 4
	var mu sync.Mutex
	var mentions []*model.Post
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for wr := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := wr; i < n; i += writers {
				text := fmt.Sprintf("flood %d", i)
				if i%every == 0 {
					text = fmt.Sprintf("@setbot help (%d)", i)
				}
				post, err := p.Post(context.Background(), ch, "", text)
				if err != nil {
					errs <- err
					return
				}
				if i%every == 0 {
					mu.Lock()
					mentions = append(mentions, post)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return mentions
}
