package mmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// Person is somebody using Mattermost: a REST client and their own websocket,
// whose posted events are kept so a test can wait for the bot's answer.
type Person struct {
	W    *World
	API  *model.Client4
	User *model.User
	ws   *model.WebSocketClient

	mu     sync.Mutex
	posts  []*model.Post
	notify chan struct{}
	done   chan struct{}
}

func newPerson(ctx context.Context, w *World, c *model.Client4, u *model.User) (*Person, error) {
	wsURL := "ws" + strings.TrimPrefix(w.URL, "http")
	ws, err := model.NewWebSocketClient4(wsURL, c.AuthToken)
	if err != nil {
		return nil, fmt.Errorf("websocket for %s: %w", u.Username, err)
	}
	p := &Person{W: w, API: c, User: u, ws: ws, notify: make(chan struct{}, 1), done: make(chan struct{})}
	ws.Listen()
	hello := make(chan struct{})
	go p.read(hello)
	select {
	case <-hello:
	case <-time.After(10 * time.Second):
		p.Close()
		return nil, fmt.Errorf("no websocket hello for %s", u.Username)
	case <-ctx.Done():
		p.Close()
		return nil, ctx.Err()
	}
	return p, nil
}

// read keeps the person's websocket drained and records posted events.
func (p *Person) read(hello chan struct{}) {
	defer close(p.done)
	greeted := false
	for {
		select {
		case ev, ok := <-p.ws.EventChannel:
			if !ok {
				return
			}
			switch ev.EventType() {
			case model.WebsocketEventHello:
				if !greeted {
					greeted = true
					close(hello)
				}
			case model.WebsocketEventPosted:
				var post model.Post
				if s, _ := ev.GetData()["post"].(string); json.Unmarshal([]byte(s), &post) == nil {
					p.mu.Lock()
					p.posts = append(p.posts, &post)
					p.mu.Unlock()
					select {
					case p.notify <- struct{}{}:
					default:
					}
				}
			}
		case <-p.ws.ResponseChannel:
		case <-p.ws.PingTimeoutChannel:
		}
	}
}

// Close closes the websocket.
func (p *Person) Close() {
	p.ws.Close()
	<-p.done
}

// Post posts text in a channel (root empty) or a thread, with files.
func (p *Person) Post(ctx context.Context, channelID, root, text string, fileIDs ...string) (*model.Post, error) {
	post, _, err := p.API.CreatePost(ctx, &model.Post{ChannelId: channelID, RootId: root, Message: text, FileIds: fileIDs})
	if err != nil {
		return nil, fmt.Errorf("%s posts %q: %w", p.User.Username, text, err)
	}
	return post, nil
}

// DMChannel is the direct channel between this person and the bot.
func (p *Person) DMChannel(ctx context.Context) (string, error) {
	ch, _, err := p.API.CreateDirectChannel(ctx, p.User.Id, p.W.Bot.Id)
	if err != nil {
		return "", fmt.Errorf("open DM with the bot: %w", err)
	}
	return ch.Id, nil
}

// DM sends the bot a direct message.
func (p *Person) DM(ctx context.Context, text string, fileIDs ...string) (*model.Post, error) {
	ch, err := p.DMChannel(ctx)
	if err != nil {
		return nil, err
	}
	return p.Post(ctx, ch, "", text, fileIDs...)
}

// Upload uploads a file to a channel and returns its id.
func (p *Person) Upload(ctx context.Context, channelID, name string, data []byte) (string, error) {
	resp, _, err := p.API.UploadFile(ctx, data, channelID, name)
	if err != nil {
		return "", fmt.Errorf("upload %s: %w", name, err)
	}
	return resp.FileInfos[0].Id, nil
}

// Click presses a button of a post, by its label.
func (p *Person) Click(ctx context.Context, post *model.Post, label string) error {
	for _, a := range post.Attachments() {
		for _, act := range a.Actions {
			if act.Name == label {
				if _, err := p.API.DoPostAction(ctx, post.Id, act.Id); err != nil {
					return fmt.Errorf("click %q: %w", label, err)
				}
				return nil
			}
		}
	}
	return fmt.Errorf("post %s has no button %q", post.Id, label)
}

// Match selects a post.
type Match func(*model.Post) bool

// FromBot matches posts by the setbot bot in a channel, optionally in a thread.
func (p *Person) FromBot(channelID, root string) Match {
	return func(post *model.Post) bool {
		return post.UserId == p.W.Bot.Id && post.ChannelId == channelID && (root == "" || post.RootId == root)
	}
}

// Containing adds a text condition to a match.
func Containing(m Match, text string) Match {
	return func(post *model.Post) bool { return m(post) && strings.Contains(post.Message, text) }
}

// Mark is a position in the person's stream of seen posts.
type Mark int

// Mark returns the current position; WaitFor looks only at posts after it.
func (p *Person) Mark() Mark {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Mark(len(p.posts))
}

// WaitFor waits for a post after mark that matches, and fails with the last
// posts seen when none arrives in time.
func (p *Person) WaitFor(ctx context.Context, from Mark, m Match, timeout time.Duration) (*model.Post, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		p.mu.Lock()
		for _, post := range p.posts[from:] {
			if m(post) {
				p.mu.Unlock()
				return post, nil
			}
		}
		p.mu.Unlock()
		select {
		case <-p.notify:
		case <-deadline.C:
			return nil, fmt.Errorf("%s saw no matching post within %s; last posts seen:\n%s", p.User.Username, timeout, p.Recent(8))
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Matching returns the posts after mark that match, so a test can count them.
func (p *Person) Matching(from Mark, m Match) []*model.Post {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*model.Post
	for _, post := range p.posts[from:] {
		if m(post) {
			out = append(out, post)
		}
	}
	return out
}

// Recent formats the last n posts seen, for failure messages.
func (p *Person) Recent(n int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	start := max(0, len(p.posts)-n)
	var b strings.Builder
	for _, post := range p.posts[start:] {
		text := post.Message
		if len(text) > 200 {
			text = text[:200] + "…"
		}
		fmt.Fprintf(&b, "  [%s user=%s channel=%s root=%s] %q\n", post.Id, post.UserId, post.ChannelId, post.RootId, text)
	}
	if b.Len() == 0 {
		return "  (none)"
	}
	return b.String()
}
