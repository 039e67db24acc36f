// Package chat is setbot-chat: a small terminal client of a real Mattermost
// server, for trying setbot on the demo stack, which has no web app. It logs
// in as a demo user, shows the DM with @setbot (or a channel) as it happens,
// and sends what the person types; buttons are real post actions through the
// server, so setbot's HTTP callbacks run as they do for the web app.
//
// It is a client of the server, not a stand-in for setbot: it knows nothing
// of setbot but its username.
//
// Like e2e/mmtest, it imports the Mattermost model package although package
// bot is meant to be its only importer: this is tooling that plays the people
// around setbot, not part of setbot.
package chat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot/e2e/mmtest"
)

// Defaults for Options.
const (
	DefaultURL  = "http://127.0.0.1:8065" // devstack/stack's server
	DefaultUser = "support1"
	// DefaultWait bounds /expect and each call to the server.
	DefaultWait = 30 * time.Second
	// DefaultHistory is how many earlier posts a channel shows when opened.
	DefaultHistory = 10
)

// Options say where to connect and as whom.
type Options struct {
	URL     string        // the Mattermost server
	User    string        // a demo user (mmtest.People) or the devstack admin
	Team    string        // the team of /channel (default mmtest.TeamName)
	Bot     string        // setbot's username (default mmtest.BotName)
	Samples string        // where the sample files are; relative /upload paths are looked up here too
	Wait    time.Duration // bounds /expect and each call to the server
	History int           // earlier posts shown when a channel opens (0: none)
}

func (o *Options) defaults() {
	if o.URL == "" {
		o.URL = DefaultURL
	}
	o.URL = strings.TrimRight(o.URL, "/")
	if o.User == "" {
		o.User = DefaultUser
	}
	if o.Team == "" {
		o.Team = mmtest.TeamName
	}
	if o.Bot == "" {
		o.Bot = mmtest.BotName
	}
	if o.Wait <= 0 {
		o.Wait = DefaultWait
	}
}

// passwordOf is the demo users' password, or the devstack admin's.
func passwordOf(user string) string {
	if admin := os.Getenv("SETBOT_MM_ADMIN_USERNAME"); admin != "" && user == admin {
		return os.Getenv("SETBOT_MM_ADMIN_PASSWORD")
	}
	return mmtest.Password
}

// Problem is an error whose text is a sentence for the person.
type Problem struct{ Text string }

func (p *Problem) Error() string { return p.Text }

func sorry(format string, args ...any) error { return &Problem{Text: fmt.Sprintf(format, args...)} }

// Say returns what to show the person for err.
func Say(err error) string {
	var p *Problem
	if errors.As(err, &p) {
		return p.Text
	}
	return "Something went wrong: " + err.Error()
}

// apiProblem turns a failed server call into a sentence.
func apiProblem(url, what string, resp *model.Response, err error) error {
	if resp == nil || resp.StatusCode == 0 {
		return sorry("Could not reach Mattermost at %s to %s. Is it running? (make demo starts it.)", url, what)
	}
	var app *model.AppError
	msg := ""
	if errors.As(err, &app) && app.Message != "" {
		msg = " It said: " + strings.TrimSuffix(app.Message, ".") + "."
	}
	return sorry("Mattermost refused to %s (HTTP %d).%s", what, resp.StatusCode, msg)
}

// screen is where everything is shown; one lock keeps lines whole.
type screen struct {
	mu    sync.Mutex
	w     io.Writer
	width int // wrap lines at this many columns (0: never)
	style
}

func (s *screen) println(lines ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range lines {
		for _, w := range wrap(l, s.width) {
			io.WriteString(s.w, w+"\n")
		}
	}
}

// Client is one person's session: who they are, which channel they look at,
// and the websocket that shows it. Its methods other than the listener's are
// called from one goroutine (the one reading what the person types).
type Client struct {
	opts Options
	out  *screen

	// Set at login and by /as, only while no listener runs.
	api  *model.Client4
	me   *model.User
	bot  *model.User
	team *model.Team
	stop func() // ends the listener and waits for it

	mu       sync.Mutex // guards the view below: the listener and the reader share it
	view     view
	names    map[string]string // user id -> username
	botPosts []*model.Post     // setbot's posts in the current channel since it opened
	mark     int               // /expect looks at botPosts[mark:]
	notify   chan struct{}
}

// view is what the person is looking at.
type view struct {
	channel *model.Channel
	label   string         // "DM with @setbot", "~sustained-engineering"
	threads map[string]int // root post id -> thread number (channels only)
	roots   []string       // thread number-1 -> root post id
	buttons *model.Post    // the newest post with buttons
	dm      bool
}

// Open logs in and shows the DM with setbot; Close ends the session.
func Open(ctx context.Context, opts Options, out io.Writer, st style, width int) (*Client, error) {
	opts.defaults()
	c := &Client{opts: opts, out: &screen{w: out, width: width, style: st}, names: map[string]string{}, notify: make(chan struct{}, 1)}
	if err := c.login(ctx, opts.User); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// login becomes user: a new REST client, the DM with setbot, a new websocket.
// On failure the previous session, if any, goes on.
func (c *Client) login(ctx context.Context, user string) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Wait)
	defer cancel()
	api := model.NewAPIv4Client(c.opts.URL)
	me, resp, err := api.Login(ctx, user, passwordOf(user))
	if err != nil {
		if resp != nil && resp.StatusCode == 401 {
			return sorry("Mattermost refused the login for %q. The demo users are %s; has make demo run on this server?", user, strings.Join(mmtest.People, ", "))
		}
		return apiProblem(c.opts.URL, "log in as "+user, resp, err)
	}
	bot, resp, err := api.GetUserByUsername(ctx, c.opts.Bot, "")
	if err != nil {
		if resp != nil && resp.StatusCode == 404 {
			return sorry("There is no @%s on this server yet: make demo creates it.", c.opts.Bot)
		}
		return apiProblem(c.opts.URL, "look up @"+c.opts.Bot, resp, err)
	}
	team, resp, err := api.GetTeamByName(ctx, c.opts.Team, "")
	if err != nil {
		return apiProblem(c.opts.URL, "find the team "+c.opts.Team, resp, err)
	}
	dm, resp, err := api.CreateDirectChannel(ctx, me.Id, bot.Id)
	if err != nil {
		return apiProblem(c.opts.URL, "open the DM with @"+c.opts.Bot, resp, err)
	}
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
	c.api, c.me, c.bot, c.team = api, me, bot, team
	c.show(dm, "DM with @"+bot.Username, true)
	ready := make(chan struct{})
	lctx, lcancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.listen(lctx, api.AuthToken, ready)
	}()
	c.stop = func() { lcancel(); <-done }
	select {
	case <-ready:
		return nil
	case <-time.After(c.opts.Wait):
		return sorry("Logged in as %s, but Mattermost's websocket did not open within %s; posts will show once it does.", user, c.opts.Wait)
	case <-ctx.Done():
		return sorry("Logged in as %s, but Mattermost's websocket did not open in time; posts will show once it does.", user)
	}
}

// Close ends the websocket and waits for its goroutine.
func (c *Client) Close() {
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
}

// Prompt is the input prompt: who talks where.
func (c *Client) Prompt() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.view.dm {
		return fmt.Sprintf("%s to @%s> ", c.me.Username, c.bot.Username)
	}
	return fmt.Sprintf("%s in %s> ", c.me.Username, c.view.label)
}

// show switches the view to ch and prints its recent history.
func (c *Client) show(ch *model.Channel, label string, dm bool) {
	var history []*model.Post
	if c.opts.History > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), c.opts.Wait)
		list, _, err := c.api.GetPostsForChannel(ctx, ch.Id, 0, c.opts.History, "", false, false)
		cancel()
		if err == nil {
			for i := len(list.Order) - 1; i >= 0; i-- {
				history = append(history, list.Posts[list.Order[i]])
			}
		}
	}
	c.mu.Lock()
	c.view = view{channel: ch, label: label, threads: map[string]int{}, dm: dm}
	c.botPosts, c.mark = nil, 0
	c.mu.Unlock()
	c.out.println("", c.out.on(c.out.bold, fmt.Sprintf("── %s, as %s ──", label, c.me.Username)))
	if len(history) > 0 {
		c.out.println(c.out.on(c.out.dim, "(the last posts)"))
		for _, p := range history {
			c.receive(p, false, hints{})
		}
		c.out.println(c.out.on(c.out.dim, "(now)"))
	}
	c.markNow() // /expect waits for new posts, not for the history
}

// nameOf is a user's username, from the cache or the server.
func (c *Client) nameOf(id, hint string) string {
	c.mu.Lock()
	name, ok := c.names[id]
	c.mu.Unlock()
	if ok {
		return name
	}
	name = strings.TrimPrefix(hint, "@")
	if name == "" {
		ctx, cancel := context.WithTimeout(context.Background(), c.opts.Wait)
		u, _, err := c.api.GetUser(ctx, id, "")
		cancel()
		if err != nil {
			return "someone"
		}
		name = u.Username
	}
	c.mu.Lock()
	c.names[id] = name
	c.mu.Unlock()
	return name
}

// receive shows a post of the current channel and remembers what /expect,
// buttons and /reply need. A DM or a mention elsewhere gets a one-line notice.
func (c *Client) receive(p *model.Post, ephemeral bool, h hints) {
	sender := h.sender
	c.mu.Lock()
	v := c.view
	if v.channel == nil || p.ChannelId != v.channel.Id {
		c.mu.Unlock()
		if !ephemeral && p.UserId != c.me.Id && (h.mentioned || h.channelType == string(model.ChannelTypeDirect)) {
			c.out.println(c.out.on(c.out.dim, fmt.Sprintf("· @%s posted %s", c.nameOf(p.UserId, sender), c.elsewhere(p, h))))
		}
		return
	}
	thread := 0
	if !v.dm {
		root := p.RootId
		if root == "" {
			root = p.Id
		}
		if thread = v.threads[root]; thread == 0 {
			c.view.roots = append(c.view.roots, root)
			thread = len(c.view.roots)
			c.view.threads[root] = thread
		}
	}
	fromBot := p.UserId == c.bot.Id
	var buttons []*model.PostAction
	for _, a := range p.Attachments() {
		buttons = append(buttons, a.Actions...)
	}
	if len(buttons) > 0 {
		c.view.buttons = p
	}
	c.mu.Unlock()

	who := "you"
	if p.UserId != c.me.Id {
		who = c.nameOf(p.UserId, sender)
	}
	if fromBot {
		who = c.out.on(c.out.bold, who)
	}
	header := who + "  " + c.out.on(c.out.dim, time.UnixMilli(p.CreateAt).Format("15:04"))
	if ephemeral {
		header += c.out.on(c.out.dim, "  (only you see this)")
	}
	indent := "  "
	switch {
	case thread > 0 && p.RootId != "":
		header = fmt.Sprintf("  ↳ #%d %s", thread, header)
		indent = "      "
	case thread > 0:
		header = fmt.Sprintf("#%d %s", thread, header)
	}
	lines := []string{"", header}
	for _, l := range c.out.Markdown(p.Message) {
		lines = append(lines, indent+l)
	}
	for _, f := range files(p) {
		lines = append(lines, indent+c.out.on(c.out.dim, "[file] ")+f)
	}
	for _, a := range p.Attachments() {
		for _, t := range []string{a.Pretext, a.Title, a.Text} {
			for _, l := range c.out.Markdown(t) {
				lines = append(lines, indent+l)
			}
		}
	}
	if len(buttons) > 0 {
		var bs []string
		for i, b := range buttons {
			bs = append(bs, c.out.on(c.out.warn, fmt.Sprintf("[%d] %s", i+1, b.Name)))
		}
		lines = append(lines, indent+strings.Join(bs, "  "))
	}
	c.out.println(lines...)
	if fromBot {
		// Only now, so that a script's next step comes after the post is shown.
		c.mu.Lock()
		c.botPosts = append(c.botPosts, p)
		c.mu.Unlock()
		select {
		case c.notify <- struct{}{}:
		default:
		}
	}
}

// hints are what a websocket event says about a post besides the post.
type hints struct {
	sender      string // "@alice"
	channel     string // the channel's name
	channelType string // model.ChannelTypeDirect…
	mentioned   bool   // the post mentions the person
}

// elsewhere says where a post outside the view is, and how to see it.
func (c *Client) elsewhere(p *model.Post, h hints) string {
	switch {
	case h.channelType == string(model.ChannelTypeDirect) && p.UserId == c.bot.Id:
		return "in your DM (/dm shows it)"
	case h.channelType == string(model.ChannelTypeDirect):
		return "you a DM (this client shows only the DM with @" + c.bot.Username + ")"
	case h.channelType == string(model.ChannelTypeOpen) || h.channelType == string(model.ChannelTypePrivate):
		return fmt.Sprintf("in ~%s (/channel %s shows it)", h.channel, h.channel)
	}
	return "in another channel, mentioning you"
}

// files describes a post's attachments.
func files(p *model.Post) []string {
	var out []string
	if p.Metadata != nil {
		for _, f := range p.Metadata.Files {
			out = append(out, fmt.Sprintf("%s (%s)", f.Name, size(f.Size)))
		}
	}
	if len(out) == 0 && len(p.FileIds) > 0 {
		out = append(out, fmt.Sprintf("%d file(s)", len(p.FileIds)))
	}
	return out
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
