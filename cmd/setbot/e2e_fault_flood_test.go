//go:build e2e

package main

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestFaultTwoThousandPostsWhileDown: 2,000 posts in ~sustained-engineering
// while setbot is down, every 50th mentioning it: after the restart every
// mention is answered exactly once.
func TestFaultTwoThousandPostsWhileDown(t *testing.T) {
	fig := faultCase(t)
	w := theWorld(t)
	took := catchUpAfterFlood(t, w, w.SET.Id, 2000, 50)
	fig.note("40 mentions among 2,000 posts made while down, each answered once; all answered %s after the restart", took.Round(100*time.Millisecond))
}

// floodReplyBound is how late another person's reply and a page step may
// be while one person floods setbot, by the issue that asked for it.
const floodReplyBound = 2 * time.Second

// TestFaultOneUserFloodsDMs: one user sends 300 DMs as fast as they can;
// meanwhile another user's DM is answered, and a page's first step
// reaches the primary, each within 2 s; every flooded DM is answered once.
func TestFaultOneUserFloodsDMs(t *testing.T) {
	fig := faultCase(t)
	w := theWorld(t)
	r := newRig(t, w, "[escalation]\nack_within = \"1m\"\n")
	bot := r.start(t)
	ctx := context.Background()
	flooder := newChatter(t, w, "support2")
	other := newChatter(t, w, "dave")
	alice := newPager(t, w, "alice")
	fmark := flooder.p.Mark()

	const dms = 300
	started := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range dms {
			if i == 50 {
				close(started)
			}
			if _, err := flooder.p.DM(ctx, "who"); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	<-started

	omark := other.p.Mark()
	sent := time.Now()
	if _, err := other.p.DM(ctx, "who"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.p.WaitFor(ctx, omark, other.fromBot, replyTimeout); err != nil {
		t.Fatal(err)
	}
	reply := time.Since(sent)

	sup := person(t, w, "support1")
	pmark := alice.p.Mark()
	text := fmt.Sprintf("login fails (flood %d)", time.Now().UnixNano())
	sent = time.Now()
	if _, err := sup.Post(ctx, w.SET.Id, "", "@setbot page "+text); err != nil {
		t.Fatal(err)
	}
	alice.waitPaged(t, pmark, "primary", text, replyTimeout)
	page := time.Since(sent)

	wg.Wait()
	answered := func() int { return len(flooder.p.Matching(fmark, flooder.fromBot)) }
	deadline := time.Now().Add(2 * time.Minute)
	for answered() < dms && time.Now().Before(deadline) {
		if _, err := flooder.p.WaitFor(ctx, flooder.p.Mark(), flooder.fromBot, time.Until(deadline)); err != nil {
			break
		}
	}
	bot.settle(t, w, flooder.p)
	fig.note("during a flood of %d DMs: another user's reply %s, the page's first step %s (bound %s)", dms,
		reply.Round(time.Millisecond), page.Round(time.Millisecond), floodReplyBound)
	fig.note("flooded DMs answered: %d of %d", answered(), dms)
	if reply > floodReplyBound || page > floodReplyBound {
		t.Errorf("reply %s, page %s: want each within %s", reply, page, floodReplyBound)
	}
	if answered() != dms {
		t.Errorf("%d answers to %d DMs, want one each", answered(), dms)
	}
}
