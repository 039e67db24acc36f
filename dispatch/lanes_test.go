package dispatch

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// laneWait is how long a lane test waits for something that must happen
// without a tick: long enough for a loaded machine, so that reaching it
// means the lane is stuck, not slow.
const laneWait = 10 * time.Second

// gate holds the calls for one subject until it is opened, and says when
// the first one arrived.
type gate struct {
	subject string
	arrived chan struct{}
	open    chan struct{}
	once    sync.Once
}

func newGate(subject string) *gate {
	return &gate{subject: subject, arrived: make(chan struct{}), open: make(chan struct{})}
}

func (g *gate) pass(subject string) {
	if subject != g.subject {
		return
	}
	g.once.Do(func() { close(g.arrived) })
	<-g.open
}

// gatedChat is the fake chat with the posts to one person held at a gate.
type gatedChat struct {
	*fakeChat
	g *gate
}

func (c gatedChat) Post(ctx context.Context, r setbot.Reply, key string) (setbot.PostID, error) {
	c.g.pass(string(r.To))
	return c.fakeChat.Post(ctx, r, key)
}

// gatedTracker is the fake Jira with the filing of one intake held at a
// gate.
type gatedTracker struct {
	*fakeTracker
	g *gate
}

func (t gatedTracker) FileOnce(ctx context.Context, r setbot.TicketRequest) (setbot.Issue, error) {
	t.g.pass(r.Intake.ID)
	return t.fakeTracker.FileOnce(ctx, r)
}

// await waits until cond holds, or fails the test with what after laneWait.
func await(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(laneWait); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, laneWait)
		}
	}
}

func (c *fakeChat) postedTo(user setbot.UserID) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.posts {
		if p.To == user {
			return true
		}
	}
	return false
}

// TestChatLaneStartsAReplyWhileAnotherPosts: a reply queued while a post
// to someone else hangs is posted at once, not after that post: the chat
// lane has no turns that wait for their slowest post (issue 17's tail).
func TestChatLaneStartsAReplyWhileAnotherPosts(t *testing.T) {
	r := newTicketRig(t)
	r.cfg.ChatWorkers = chatWorkers
	r.open()
	g := newGate("u-sam")
	r.d = New(r.cfg, gatedChat{r.chat, g}, r.db, r.ext)
	enqueue := func(to setbot.UserID) {
		t.Helper()
		if err := r.db.Update(r.now, func(tx *store.Tx) error {
			return enqueueReplies(tx, []setbot.Reply{{To: to, Text: "hello " + string(to)}})
		}); err != nil {
			t.Fatal(err)
		}
	}
	enqueue("u-sam")
	wake := make(chan struct{}, 1)
	ran := make(chan struct{})
	go func() { defer close(ran); r.d.c.runLane(context.Background(), laneChat, wake) }()
	<-g.arrived // sam's post hangs
	enqueue("u-dave")
	wake <- struct{}{}
	await(t, "dave's reply while sam's post hangs", func() bool { return r.chat.postedTo("u-dave") })
	close(g.open)
	<-ran
	if !r.chat.postedTo("u-sam") {
		t.Error("sam's reply was not posted once its post went through")
	}
}

// TestFilingsOfTwoIntakesRunAtOnce: a filing that hangs in Jira does not
// hold up another person's filing, whose link is posted without waiting
// for a tick (the slow lane wakes the chat lane).
func TestFilingsOfTwoIntakesRunAtOnce(t *testing.T) {
	r := newTicketRig(t)
	r.cfg.SlowWorkers, r.cfg.Tick = slowWorkers, time.Hour // no tick comes to the rescue
	g := newGate("in-sam")
	r.ext.Tracker = gatedTracker{r.jira, g}
	r.open()
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- r.d.Run(ctx) }()
	file := func(id string, user setbot.UserID, name setbot.Username) {
		t.Helper()
		in := setbot.Intake{ID: id, Reporter: user, Username: name, Summary: "search is slow for " + string(name), Priority: setbot.L3}
		if err := r.db.Update(r.now, func(tx *store.Tx) error { return enqueueFiling(tx, in, false) }); err != nil {
			t.Fatal(err)
		}
		r.d.c.kick()
	}
	file("in-sam", "u-sam", "sam")
	<-g.arrived // sam's filing hangs in Jira
	file("in-dave", "u-dave", "dave")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("posts:\n%s\njira: %q", texts(r.chat.take()), r.jira.calls)
		}
	})
	announced := func(name string) func() bool {
		return func() bool {
			r.chat.mu.Lock()
			defer r.chat.mu.Unlock()
			for _, p := range r.chat.posts {
				if strings.Contains(p.Text, "New SET ticket") && strings.Contains(p.Text, "from @"+name) {
					return true
				}
			}
			return false
		}
	}
	await(t, "dave's ticket announced while sam's filing hangs", announced("dave"))
	close(g.open)
	await(t, "sam's ticket announced once Jira answers", announced("sam"))
	cancel()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
}

// TestPagePostsDoNotWaitForTheChatLane: a page step's post goes out while
// every chat worker hangs on a post, without a tick: the page lane is woken
// by the commit itself.
func TestPagePostsDoNotWaitForTheChatLane(t *testing.T) {
	r := newTicketRig(t)
	r.cfg.Tick = time.Hour // no tick comes to the rescue
	r.open()
	g := newGate("u-sam")
	r.d = New(r.cfg, gatedChat{r.chat, g}, r.db, r.ext)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- r.d.Run(ctx) }()
	if err := r.db.Update(r.now, func(tx *store.Tx) error {
		return enqueueReplies(tx, []setbot.Reply{{To: "u-sam", Text: "hello sam"}})
	}); err != nil {
		t.Fatal(err)
	}
	r.d.c.kick()
	<-g.arrived // the only chat worker hangs
	if err := r.db.Update(r.now, func(tx *store.Tx) error {
		return r.d.c.enqueuePagePosts(tx, []setbot.Reply{{ChannelID: "c-set", Text: "paging @alice"}})
	}); err != nil {
		t.Fatal(err)
	}
	await(t, "the page's post while the chat lane hangs", func() bool {
		r.chat.mu.Lock()
		defer r.chat.mu.Unlock()
		for _, p := range r.chat.posts {
			if p.Text == "paging @alice" {
				return true
			}
		}
		return false
	})
	close(g.open)
	cancel()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
}
