package bot

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
)

// Reconnect backoff: capped, jittered exponential.
const (
	backoffBase = 500 * time.Millisecond
	backoffCap  = 30 * time.Second
	// catchUpOverlap reaches back before the newest post handled, because
	// posts of different users are handled concurrently and a later one may
	// have moved the cursor past an earlier one. Handled posts are skipped by
	// their marks, so the overlap costs only a few reads.
	catchUpOverlap = 10 * time.Minute
	// helloTimeout bounds the wait for the server's first event.
	helloTimeout = 15 * time.Second
	// reconnectLogEvery rate-limits reconnect failure logs.
	reconnectLogEvery = time.Minute
)

// Cursors tells where to catch up from: the create time of the newest post
// handled in a channel (zero when none).
type Cursors interface {
	Cursor(setbot.ChannelID) (time.Time, error)
	// NewestCursor is the newest cursor of any channel: where catch-up starts
	// in a channel with no cursor of its own (a new DM, an incident channel).
	NewestCursor() (time.Time, error)
	// Created is when setbot's memory begins: catch-up never reaches before it.
	Created() (time.Time, error)
}

// Listener keeps one websocket connection to Mattermost alive and delivers
// every post, exactly as the server sent it or as REST catch-up found it.
// Delivery may repeat a post (a replay, an overlap); the receiver drops the
// repeats by their handled marks.
type Listener struct {
	c         *Client
	log       zerolog.Logger
	cursors   Cursors
	deliver   func(setbot.Message)
	connected atomic.Bool
	caughtUp  atomic.Bool   // the last catch-up succeeded
	firstUp   chan struct{} // closed at the first connection
	upOnce    sync.Once
	connID    string
	nextSeq   int64
	// Reconnects counts successful reconnects after the first connection.
	Reconnects atomic.Int64
	// UserUpdated, when set before Run, hears the ID of every account the
	// server says changed (renamed, deactivated, made a bot). It must not
	// block.
	UserUpdated func(setbot.UserID)
}

// NewListener returns a listener that hands posts to deliver. deliver must not
// block for long: it should queue the message.
func (c *Client) NewListener(log zerolog.Logger, cursors Cursors, deliver func(setbot.Message)) *Listener {
	return &Listener{c: c, log: log, cursors: cursors, deliver: deliver, firstUp: make(chan struct{})}
}

// Up is closed once the first connection is made (and caught up).
func (l *Listener) Up() <-chan struct{} { return l.firstUp }

// CaughtUp reports whether the posts missed while disconnected have been
// read (for readiness): false while a failed catch-up is being retried.
func (l *Listener) CaughtUp() bool { return l.caughtUp.Load() }

// Connected reports whether the websocket is up (for readiness).
func (l *Listener) Connected() bool { return l.connected.Load() }

// Run connects and reconnects until ctx ends. It returns nil then.
func (l *Listener) Run(ctx context.Context) error {
	attempt := 0
	var lastLog time.Time
	failures := 0
	for ctx.Err() == nil {
		ok, err := l.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if ok {
			attempt = 0
		}
		attempt++
		failures++
		if time.Since(lastLog) >= reconnectLogEvery {
			ev := l.log.Warn().Int("failures", failures)
			if err != nil {
				ev = ev.Err(err)
			}
			ev.Msg("Mattermost websocket down; reconnecting with backoff")
			lastLog, failures = time.Now(), 0
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff(attempt)):
		}
	}
	return nil
}

// backoff returns a full-jitter delay for the attempt (1-based), capped.
func backoff(attempt int) time.Duration {
	d := backoffBase << min(attempt-1, 16)
	if d > backoffCap || d <= 0 {
		d = backoffCap
	}
	return time.Duration(rand.Int64N(int64(d))) + backoffBase/2
}

// session runs one websocket connection until it drops or ctx ends. ok says
// whether the connection got as far as hello.
func (l *Listener) session(ctx context.Context) (ok bool, err error) {
	wsURL := "ws" + strings.TrimPrefix(strings.TrimRight(l.c.cfg.URL, "/"), "http")
	ws, err := model.NewReliableWebSocketClientWithDialer(websocket.DefaultDialer, wsURL, l.c.cfg.Token, l.connID, int(l.nextSeq), true)
	if err != nil {
		return false, err
	}
	ws.Listen()
	defer func() {
		l.connected.Store(false)
		ws.Close()
		drain(ws)
	}()
	hello := time.NewTimer(helloTimeout)
	defer hello.Stop()
	var retry <-chan time.Time // a failed catch-up is tried again then
	retries := 0
	for {
		select {
		case <-ctx.Done():
			return ok, nil
		case <-retry:
			if err := l.catchUp(ctx); err != nil {
				retries++
				retry = time.After(backoff(retries))
				l.log.Warn().Err(err).Int("attempt", retries).Msg("catch-up failed; trying again with backoff")
				continue
			}
			retry, retries = nil, 0
			l.caughtUp.Store(true)
		case <-hello.C:
			if !ok {
				return false, errNoHello
			}
		case <-ws.PingTimeoutChannel:
			return ok, errPingTimeout
		case <-ws.ResponseChannel:
		case ev, open := <-ws.EventChannel:
			if !open {
				if ws.ListenError != nil {
					return ok, ws.ListenError
				}
				return ok, errClosed
			}
			if seq := ev.GetSequence(); seq >= l.nextSeq {
				l.nextSeq = seq + 1
			}
			if ev.EventType() == model.WebsocketEventHello {
				ok = true
				if err := l.onHello(ctx, ev); err != nil {
					l.log.Warn().Err(err).Msg("catch-up failed; trying again with backoff")
					retries, retry = 1, time.After(backoff(1))
				}
				continue
			}
			if ev.EventType() == model.WebsocketEventUserUpdated && l.UserUpdated != nil {
				if id := updatedUser(ev.GetData()); id != "" {
					l.UserUpdated(id)
				}
				continue
			}
			if ev.EventType() == model.WebsocketEventPosted {
				m, good := l.c.fromPostedEvent(ev.GetData())
				l.log.Debug().Bool("decoded", good).Str("post_id", string(m.ID)).Int("kind", int(m.Kind)).
					Bool("mentioned", m.Mentioned).Bool("from_bot", m.FromBot).Msg("posted event")
				if good {
					l.deliver(m)
				}
			}
		}
	}
}

// onHello notes the connection. When the server gave a new connection id, it
// could not replay what this client missed, so posts are caught up over REST.
//
// A failed catch-up is returned: the session tries again with backoff, and
// CaughtUp (readiness) is false until one succeeds.
func (l *Listener) onHello(ctx context.Context, ev *model.WebSocketEvent) error {
	id, _ := ev.GetData()["connection_id"].(string)
	resumed := id != "" && id == l.connID
	first := l.connID == ""
	if !first {
		l.Reconnects.Add(1)
	}
	var err error
	if !resumed {
		l.connID = id
		l.nextSeq = ev.GetSequence() + 1
		err = l.catchUp(ctx)
	}
	l.caughtUp.Store(err == nil)
	l.connected.Store(true)
	l.upOnce.Do(func() { close(l.firstUp) })
	l.log.Info().Bool("resumed", resumed).Bool("first", first).Msg("Mattermost websocket connected")
	return err
}

// catchUp delivers posts made since the newest one handled, in every
// channel of setbot's team it is in and in its direct and group messages,
// oldest first per channel. A channel setbot never handled a post in is read
// from the newest cursor of all, so a first DM or a mention in a new
// incident channel made while setbot was down is not lost.
func (l *Listener) catchUp(ctx context.Context) error {
	newest, err := l.cursors.NewestCursor()
	if err != nil {
		return fmt.Errorf("read the newest cursor: %w", err)
	}
	if newest.IsZero() {
		return nil // nothing handled anywhere yet: no history to replay
	}
	lctx, cancel := context.WithTimeout(ctx, restTimeout)
	chans, resp, err := l.c.api.GetChannelsForUserWithLastDeleteAt(lctx, l.c.me.Id, 0)
	cancel()
	if err != nil {
		return apiError(resp, err, "list channels")
	}
	var failed error
	for _, ch := range chans {
		if ch.TeamId == l.c.team.Id || ch.Type == model.ChannelTypeDirect || ch.Type == model.ChannelTypeGroup {
			// One channel failing does not hold up the others; the retry
			// reads them all again, and handled marks drop the repeats.
			if err := l.catchUpChannel(ctx, ch, newest); err != nil {
				failed = err
			}
		}
	}
	return failed
}

func (l *Listener) catchUpChannel(ctx context.Context, ch *model.Channel, newest time.Time) error {
	since, err := l.cursors.Cursor(setbot.ChannelID(ch.Id))
	if err != nil {
		return fmt.Errorf("read the cursor of %s: %w", ch.Id, err)
	}
	if since.IsZero() {
		since = newest
	}
	from := since.Add(-catchUpOverlap)
	if created, err := l.cursors.Created(); err == nil && from.Before(created) {
		from = created
	}
	posts, err := l.postsSince(ctx, ch.Id, from)
	if err != nil {
		return err
	}
	sort.Slice(posts, func(i, j int) bool { return posts[i].CreateAt < posts[j].CreateAt })
	for _, p := range posts {
		m := l.c.toMessage(p, nil)
		if ch.Type == model.ChannelTypeDirect {
			m.Kind = setbot.ChannelDM
		}
		l.deliver(m)
	}
	if len(posts) > 0 {
		l.log.Info().Str("channel_id", ch.Id).Int("posts", len(posts)).Msg("caught up over REST")
	}
	return nil
}

// Mattermost's GetPostsSince returns at most this many posts, and which
// ones is up to the database: its query limits before it orders (checked
// in server v8 sqlstore's GetPostsSince), so they may be the oldest, the
// newest or any. When it is full, the channel is read again from its
// newest post back, page by page, which is complete and in order.
const (
	postsSinceMax = 1000
	postsPage     = 200
)

// postsSince reads every post of a channel made since from (not deleted),
// however many: GetPostsSince, then, when it returned its maximum, the
// newest page (GetPostsForChannel) and pages of GetPostsBefore until the
// posts are older than from.
func (l *Listener) postsSince(ctx context.Context, channel string, from time.Time) ([]*model.Post, error) {
	since := from.UnixMilli()
	var posts []*model.Post
	// keep takes a list's own posts (its Order: a page's parents of
	// replies, which may be far older, are not the page's) made since,
	// and returns the oldest of them.
	keep := func(list *model.PostList) (oldest *model.Post) {
		for _, id := range list.Order {
			p := list.Posts[id]
			if p == nil {
				continue
			}
			if oldest == nil || p.CreateAt < oldest.CreateAt {
				oldest = p
			}
			if p.DeleteAt == 0 && p.CreateAt >= since {
				posts = append(posts, p)
			}
		}
		return oldest
	}
	pctx, cancel := context.WithTimeout(ctx, restTimeout)
	list, resp, err := l.c.api.GetPostsSince(pctx, channel, since, false)
	cancel()
	if err != nil {
		return nil, apiError(resp, err, "read missed posts")
	}
	if len(list.Order) < postsSinceMax {
		keep(list)
		return posts, nil
	}
	pctx, cancel = context.WithTimeout(ctx, restTimeout)
	page, resp, err := l.c.api.GetPostsForChannel(pctx, channel, 0, postsPage, "", false, false)
	cancel()
	for {
		if err != nil {
			return nil, apiError(resp, err, "read older missed posts")
		}
		oldest := keep(page)
		if oldest == nil || oldest.CreateAt < since {
			return posts, nil
		}
		pctx, cancel := context.WithTimeout(ctx, restTimeout)
		page, resp, err = l.c.api.GetPostsBefore(pctx, channel, oldest.Id, 0, postsPage, "", false, false)
		cancel()
	}
}

// drain empties a closed client's channels so its reader goroutine can end.
func drain(ws *model.WebSocketClient) {
	events, responses := ws.EventChannel, ws.ResponseChannel
	for events != nil || responses != nil {
		select {
		case _, ok := <-events:
			if !ok {
				events = nil
			}
		case _, ok := <-responses:
			if !ok {
				responses = nil
			}
		case <-ws.PingTimeoutChannel:
		}
	}
}

// mentionsName reports whether text mentions @name as a word. Trailing
// punctuation ends a mention, as in Mattermost ("@setbot." mentions setbot).
func mentionsName(text, name string) bool {
	t, want := strings.ToLower(text), strings.ToLower(name)
	for i := 0; i < len(t); i++ {
		if t[i] != '@' {
			continue
		}
		j := i + 1
		for j < len(t) && isNameRune(rune(t[j])) {
			j++
		}
		if strings.TrimRight(t[i+1:j], ".-_") == want {
			return true
		}
	}
	return false
}

func isNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'
}

type wsError string

func (e wsError) Error() string { return string(e) }

const (
	errNoHello     = wsError("no hello from the server")
	errPingTimeout = wsError("websocket ping timeout")
	errClosed      = wsError("websocket closed")
)
