package chat

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mattermost/mattermost/server/public/model"
)

// Reconnect backoff: capped, jittered exponential (as bot/listen.go).
const (
	backoffBase  = 500 * time.Millisecond
	backoffCap   = 15 * time.Second
	helloTimeout = 15 * time.Second
)

var errPingTimeout = errors.New("websocket ping timed out")

// listen keeps the person's websocket open until ctx ends, reconnecting with
// backoff; ready is closed at the first hello. Its owner is login, which
// cancels ctx and waits for it (Client.stop).
func (c *Client) listen(ctx context.Context, token string, ready chan struct{}) {
	var connID string
	var seq int64
	attempt := 0
	greeted, down := false, false
	for ctx.Err() == nil {
		ok := c.session(ctx, token, &connID, &seq, func() {
			if !greeted {
				greeted = true
				close(ready)
			}
			if down {
				down = false
				c.out.println(c.out.on(c.out.dim, "· connected to Mattermost again"))
			}
		})
		if ctx.Err() != nil {
			return
		}
		if ok {
			attempt = 0
		}
		attempt++
		if !down && greeted {
			down = true
			c.out.println(c.out.on(c.out.warn, "· lost the connection to Mattermost; reconnecting…"))
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff(attempt)):
		}
	}
}

func backoff(attempt int) time.Duration {
	d := backoffBase << min(attempt-1, 16)
	if d > backoffCap || d <= 0 {
		d = backoffCap
	}
	return time.Duration(rand.Int64N(int64(d))) + backoffBase/2
}

// session runs one websocket connection until it drops or ctx ends; a new
// client each time, never a closed one reused. The server replays what was
// missed when it still knows connID. ok says whether it got as far as hello.
func (c *Client) session(ctx context.Context, token string, connID *string, seq *int64, hello func()) (ok bool) {
	wsURL := "ws" + strings.TrimPrefix(c.opts.URL, "http")
	ws, err := model.NewReliableWebSocketClientWithDialer(websocket.DefaultDialer, wsURL, token, *connID, int(*seq), true)
	if err != nil {
		return false
	}
	ws.Listen()
	defer func() {
		ws.Close()
		drain(ws)
	}()
	noHello := time.NewTimer(helloTimeout)
	defer noHello.Stop()
	for {
		select {
		case <-ctx.Done():
			return ok
		case <-noHello.C:
			if !ok {
				return false
			}
		case <-ws.PingTimeoutChannel:
			return ok
		case <-ws.ResponseChannel:
		case ev, open := <-ws.EventChannel:
			if !open {
				return ok
			}
			if s := ev.GetSequence(); s >= *seq {
				*seq = s + 1
			}
			switch ev.EventType() {
			case model.WebsocketEventHello:
				ok = true
				if id, _ := ev.GetData()["connection_id"].(string); id != *connID {
					*connID, *seq = id, ev.GetSequence()+1
				}
				hello()
			case model.WebsocketEventPosted, model.WebsocketEventEphemeralMessage:
				var p model.Post
				if s, _ := ev.GetData()["post"].(string); json.Unmarshal([]byte(s), &p) == nil {
					var h hints
					h.sender, _ = ev.GetData()["sender_name"].(string)
					h.channel, _ = ev.GetData()["channel_name"].(string)
					h.channelType, _ = ev.GetData()["channel_type"].(string)
					mentions, _ := ev.GetData()["mentions"].(string) // a JSON array, as a string
					h.mentioned = strings.Contains(mentions, c.me.Id)
					c.receive(&p, ev.EventType() == model.WebsocketEventEphemeralMessage, h)
				}
			}
		}
	}
}

// drain empties a closed client's channels until its read loop has ended,
// so that none of its goroutines blocks on a send.
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
