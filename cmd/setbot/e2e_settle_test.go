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

// settleTimeout bounds how long settle waits: a timer pass comes every 2 s,
// so this is ample room for a slow machine, and a stuck setbot fails.
const settleTimeout = 30 * time.Second

var (
	quietOnce sync.Once
	quietID   string
	quietErr  error
)

// quietChannel is a channel of the team where nobody mentions setbot: the
// markers that settle posts go there, so that setbot has nothing to answer.
func quietChannel(t *testing.T, w *mmtest.World) string {
	t.Helper()
	quietOnce.Do(func() {
		ch, err := w.Channel(context.Background(), "e2e-quiet")
		if err == nil {
			quietID = ch.Id
		}
		quietErr = err
	})
	if quietErr != nil {
		t.Fatalf("the quiet channel: %v", quietErr)
	}
	return quietID
}

// settle returns once setbot (serving /metrics at addr) has looked at
// everything due by after and p has seen every post it made because of it:
//   - a pass of the timer loop that began at or after after has finished
//     (setbot_timer_pass_timestamp_seconds), so every reminder, ladder step
//     or report due by then has been decided;
//   - the outbox is empty, so every post decided has been made;
//   - a marker that p posts afterwards has come back on p's websocket, and
//     the server delivers a connection's events in order, so every post
//     made before it has arrived too.
//
// Counting p's posts after settle therefore counts all of them: a test
// shows that something did not happen by waiting for these events, never
// by sleeping.
func settle(t *testing.T, w *mmtest.World, addr string, p *mmtest.Person, after time.Time) {
	t.Helper()
	deadline := time.Now().Add(settleTimeout)
	want := float64(after.UnixNano()) / 1e9
	for {
		m := scrapeAt(t, addr)
		pass, jobs := m["setbot_timer_pass_timestamp_seconds"], m["setbot_outbox_jobs"]
		if pass >= want && jobs == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("setbot did not settle within %s: timer pass at %.3f (want >= %.3f), %v outbox jobs",
				settleTimeout, pass, want, jobs)
		}
		time.Sleep(50 * time.Millisecond) // polling for the event, not waiting for time to pass
	}
	ctx := context.Background()
	mark := p.Mark()
	marker, err := p.Post(ctx, quietChannel(t, w), "", fmt.Sprintf("marker %d", time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.WaitFor(ctx, mark, func(post *model.Post) bool { return post.Id == marker.Id }, settleTimeout); err != nil {
		t.Fatalf("the marker did not come back: %v", err)
	}
}

// settle is settle for everything due by now.
func (r *running) settle(t *testing.T, w *mmtest.World, p *mmtest.Person) {
	t.Helper()
	settle(t, w, r.main.Addr, p, time.Now())
}
