package dispatch

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/setbot/setbot"
)

// rigPeople are the people every rig's chat knows: u-NAME, NAME@example.com.
var rigPeople = []string{"alice", "bob", "carol", "dave", "erin", "sam", "adm"}

// fakeChat is the dispatch tests' setbot.Chat. Posts get ids post-1,
// post-2, … in the order made; a repeated key returns the first post's id
// without posting again, as Mattermost's pending_post_id does. It knows the
// people in users, the files in files and the channels in channels, and
// answers ENotFound for anything else, in the real chat's words.
type fakeChat struct {
	mu       sync.Mutex
	posts    []setbot.Reply
	ids      []setbot.PostID
	made     int
	keys     map[string]setbot.PostID
	users    map[setbot.Username]setbot.User
	lookup   error // returned by UserByName while set
	files    map[setbot.FileID]setbot.File
	channels map[string]setbot.ChannelID
}

var _ setbot.Chat = (*fakeChat)(nil)

// newFakeChat returns a chat that knows rigPeople.
func newFakeChat() *fakeChat {
	c := &fakeChat{keys: map[string]setbot.PostID{}, users: map[setbot.Username]setbot.User{},
		files: map[setbot.FileID]setbot.File{}, channels: map[string]setbot.ChannelID{}}
	for _, n := range rigPeople {
		c.users[setbot.Username(n)] = setbot.User{ID: setbot.UserID("u-" + n), Username: setbot.Username(n), Email: n + "@example.com"}
	}
	return c
}

func (c *fakeChat) Post(_ context.Context, r setbot.Reply, key string) (setbot.PostID, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id, ok := c.keys[key]; ok && key != "" {
		return id, nil
	}
	c.made++
	id := setbot.PostID(fmt.Sprintf("post-%d", c.made))
	c.posts, c.ids = append(c.posts, r), append(c.ids, id)
	if key != "" {
		c.keys[key] = id
	}
	return id, nil
}

func (c *fakeChat) Typing(context.Context, setbot.ChannelID, setbot.UserID, setbot.PostID) error {
	return nil
}

func (c *fakeChat) File(_ context.Context, id setbot.FileID, _ int64) (setbot.File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.files[id]; ok {
		return f, nil
	}
	return setbot.File{}, setbot.Errorf(setbot.ENotFound, "There is no file %s.", id)
}

func (c *fakeChat) Message(_ context.Context, id setbot.PostID) (setbot.Message, error) {
	return setbot.Message{}, setbot.Errorf(setbot.ENotFound, "There is no post %s.", id)
}

func (c *fakeChat) UserByName(_ context.Context, n setbot.Username) (setbot.User, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lookup != nil {
		return setbot.User{}, c.lookup
	}
	if u, ok := c.users[n]; ok {
		return u, nil
	}
	return setbot.User{}, setbot.Errorf(setbot.ENotFound, "There is no user @%s.", n)
}

func (c *fakeChat) User(_ context.Context, id setbot.UserID) (setbot.User, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, u := range c.users {
		if u.ID == id {
			return u, nil
		}
	}
	return setbot.User{}, setbot.Errorf(setbot.ENotFound, "There is no user %s.", id)
}

func (c *fakeChat) ChannelByName(_ context.Context, name string) (setbot.ChannelID, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id, ok := c.channels[strings.TrimPrefix(name, "~")]; ok {
		return id, nil
	}
	return "", setbot.Errorf(setbot.ENotFound, "There is no channel %s that I can see.", name)
}

func (c *fakeChat) Permalink(id setbot.PostID) string {
	return "https://chat.example.com/pl/" + string(id)
}

func (c *fakeChat) Header(context.Context, setbot.ChannelID) (string, error)  { return "", nil }
func (c *fakeChat) SetHeader(context.Context, setbot.ChannelID, string) error { return nil }

// take returns and forgets the posts made since the last take.
func (c *fakeChat) take() []setbot.Reply {
	p, _ := c.takeWithIDs()
	return p
}

// takeWithIDs is take with each post's id.
func (c *fakeChat) takeWithIDs() ([]setbot.Reply, []setbot.PostID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ids := c.posts, c.ids
	c.posts, c.ids = nil, nil
	return p, ids
}
