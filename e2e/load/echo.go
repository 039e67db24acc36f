package load

import (
	"context"
	"fmt"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot/e2e/mmtest"
)

// echo is the floor setbot's replies are measured against: a pings b in
// their direct channel, b answers as soon as its websocket shows the ping,
// and a measures from its post returning to the answer arriving on its own
// websocket. b's answer is what setbot's would be if it did no work.
//
// It makes one round trip for each value received on ticks until ticks is
// closed, and returns their latencies and how many answers had arrived
// before a's post returned. Ticking it with an intake's answers gives the
// echo the intake's count and pace: it spans the whole run, and adds as
// many posts to the server as the intake does, no more.
func echo(ctx context.Context, a, b *mmtest.Person, ticks <-chan struct{}, within time.Duration) (trips []time.Duration, early int, err error) {
	ch, _, err := a.API.CreateDirectChannel(ctx, a.User.Id, b.User.Id)
	if err != nil {
		return nil, 0, fmt.Errorf("open DM %s-%s: %w", a.User.Username, b.User.Username, err)
	}
	from := func(p *mmtest.Person, text string) mmtest.Match {
		return func(post *model.Post) bool {
			return post.UserId == p.User.Id && post.ChannelId == ch.Id && post.Message == text
		}
	}
	// run is unique per run, so that a ping left over from an earlier run,
	// seen late, is not taken for this one's.
	run := time.Now().UnixNano()
	answered := make(chan error, 1)
	bctx, cancel := context.WithCancel(ctx)
	defer func() { cancel(); <-answered }()
	bMark := b.Mark()
	go func() {
		for i := 0; ; i++ {
			ping := fmt.Sprintf("ping %d %d", run, i)
			if _, err := b.WaitFor(bctx, bMark, from(a, ping), within); err != nil {
				answered <- err
				return
			}
			// a sends the next ping only after this one's answer.
			bMark = b.Mark()
			if _, err := b.Post(bctx, ch.Id, "", fmt.Sprintf("pong %d %d", run, i)); err != nil {
				answered <- err
				return
			}
		}
	}()
	i := 0
	for range ticks {
		aMark := a.Mark()
		pong := from(b, fmt.Sprintf("pong %d %d", run, i))
		sent := time.Now()
		if _, err := a.Post(ctx, ch.Id, "", fmt.Sprintf("ping %d %d", run, i)); err != nil {
			return trips, early, err
		}
		if len(a.Matching(aMark, pong)) > 0 {
			early++
		}
		if _, err := a.WaitFor(ctx, aMark, pong, within); err != nil {
			return trips, early, fmt.Errorf("echo %s-%s trip %d: %w", a.User.Username, b.User.Username, i+1, err)
		}
		trips = append(trips, time.Since(sent))
		i++
	}
	return trips, early, nil
}
