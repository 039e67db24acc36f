package chat

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// errQuit ends the session.
var errQuit = errors.New("quit")

// command is one slash command.
type command struct {
	usage string
	help  string
	run   func(ctx context.Context, c *Client, arg string) error
}

// commands is every slash command, by name.
var commands = map[string]command{
	"upload": {"/upload PATH [text]", "attach a file (a sample's name is enough: /upload config.json)",
		func(ctx context.Context, c *Client, arg string) error {
			path, text, _ := strings.Cut(arg, " ")
			return c.Upload(ctx, path, strings.TrimSpace(text))
		}},
	"channel": {"/channel NAME", "look at a channel of the team, e.g. /channel sustained-engineering",
		func(ctx context.Context, c *Client, arg string) error { return c.Channel(ctx, arg) }},
	"dm": {"/dm", "back to your DM with @setbot",
		func(ctx context.Context, c *Client, _ string) error { return c.DM(ctx) }},
	"reply": {"/reply N text", "answer in thread #N of the channel",
		func(ctx context.Context, c *Client, arg string) error {
			n, text, _ := strings.Cut(arg, " ")
			return c.Reply(ctx, strings.TrimPrefix(n, "#"), strings.TrimSpace(text))
		}},
	"as": {"/as NAME", "log in as another demo user (support1, support2, alice, bob, carol, dave)",
		func(ctx context.Context, c *Client, arg string) error {
			if arg == "" {
				return sorry("Whom? For example: /as bob")
			}
			return c.login(ctx, arg)
		}},
	"expect": {"/expect TEXT", "wait until @setbot answers with a post containing TEXT (for scripts)",
		func(ctx context.Context, c *Client, arg string) error { return c.Expect(ctx, arg) }},
	"help": {"/help", "this list", nil}, // Do shows it: helpText reads this table
	"quit": {"/quit", "leave (Ctrl-D does too)",
		func(context.Context, *Client, string) error { return errQuit }},
}

func helpText() []string {
	lines := []string{"Type to post. A number presses that button of the newest post with buttons."}
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		lines = append(lines, fmt.Sprintf("  %-22s %s", commands[n].usage, commands[n].help))
	}
	return lines
}

// Do carries out one line the person typed: a slash command, a button's
// number, or text to post. It returns errQuit for /quit.
func (c *Client) Do(ctx context.Context, line string) error {
	line = strings.TrimSpace(line)
	switch {
	case line == "":
		return nil
	case strings.HasPrefix(line, "//"):
		return c.Send(ctx, "", line[1:])
	case strings.HasPrefix(line, "/"):
		name, arg, _ := strings.Cut(line[1:], " ")
		name = strings.ToLower(name)
		if name == "help" {
			c.out.println(helpText()...)
			return nil
		}
		cmd, ok := commands[name]
		if !ok {
			return sorry("There is no command /%s here; /help lists them. (To send a line that starts with a slash, start it with two: //%s.)", name, line[1:])
		}
		return cmd.run(ctx, c, strings.TrimSpace(arg))
	default:
		if n, err := strconv.Atoi(line); err == nil && n > 0 && n < 100 {
			return c.Press(ctx, n)
		}
		return c.Send(ctx, "", line)
	}
}

// Send posts text in the current channel, in thread root if given.
func (c *Client) Send(ctx context.Context, root, text string, fileIDs ...string) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Wait)
	defer cancel()
	c.markNow()
	ch := c.channelID()
	_, resp, err := c.api.CreatePost(ctx, &model.Post{ChannelId: ch, RootId: root, Message: text, FileIds: fileIDs})
	if err != nil {
		return apiProblem(c.opts.URL, "post your message", resp, err)
	}
	return nil
}

// Upload attaches the file at path (or the sample of that name) to a post.
func (c *Client) Upload(ctx context.Context, path, text string) error {
	if path == "" {
		return sorry("Which file? For example: /upload config.json (samples are in %s)", c.opts.Samples)
	}
	if _, err := os.Stat(path); err != nil && !filepath.IsAbs(path) && c.opts.Samples != "" {
		if _, serr := os.Stat(filepath.Join(c.opts.Samples, path)); serr == nil {
			path = filepath.Join(c.opts.Samples, path)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return sorry("Cannot read %s. Give a file's path, or a sample's name (%s).", path, strings.Join(SampleNames(), ", "))
	}
	uctx, cancel := context.WithTimeout(ctx, c.opts.Wait)
	defer cancel()
	c.markNow()
	up, resp, err := c.api.UploadFile(uctx, data, c.channelID(), filepath.Base(path))
	if err != nil || len(up.FileInfos) == 0 {
		return apiProblem(c.opts.URL, "take the file "+filepath.Base(path), resp, err)
	}
	return c.Send(ctx, "", text, up.FileInfos[0].Id)
}

// Press presses button n (from 1) of the newest post with buttons: a real
// post action, which Mattermost forwards to setbot's HTTP callback.
func (c *Client) Press(ctx context.Context, n int) error {
	c.mu.Lock()
	post := c.view.buttons
	c.mu.Unlock()
	if post == nil {
		return sorry("There is no button to press here yet.")
	}
	var actions []*model.PostAction
	for _, a := range post.Attachments() {
		actions = append(actions, a.Actions...)
	}
	if n > len(actions) {
		if len(actions) == 1 {
			return sorry("The newest post has one button: 1 presses it.")
		}
		return sorry("The newest buttons are numbered 1 to %d.", len(actions))
	}
	act := actions[n-1]
	c.out.println(c.out.on(c.out.dim, fmt.Sprintf("· pressed [%d] %s", n, act.Name)))
	ctx, cancel := context.WithTimeout(ctx, c.opts.Wait)
	defer cancel()
	c.markNow()
	if resp, err := c.api.DoPostAction(ctx, post.Id, act.Id); err != nil {
		if resp != nil && resp.StatusCode >= 400 {
			return sorry("The press of %q did not go through: Mattermost could not get an answer from @%s's callback (HTTP %d). Is setbot running? make demo starts it.", act.Name, c.bot.Username, resp.StatusCode)
		}
		return apiProblem(c.opts.URL, "press "+act.Name, resp, err)
	}
	return nil
}

// Channel looks at a channel of the team.
func (c *Client) Channel(ctx context.Context, name string) error {
	name = strings.TrimPrefix(name, "~")
	if name == "" {
		return sorry("Which channel? For example: /channel sustained-engineering")
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Wait)
	defer cancel()
	ch, resp, err := c.api.GetChannelByName(ctx, name, c.team.Id, "")
	if err != nil {
		if resp != nil && (resp.StatusCode == 404 || resp.StatusCode == 403) {
			return sorry("%s is in no channel called ~%s of the team %s.", c.me.Username, name, c.team.Name)
		}
		return apiProblem(c.opts.URL, "open ~"+name, resp, err)
	}
	c.show(ch, "~"+ch.Name, false)
	return nil
}

// DM goes back to the DM with setbot.
func (c *Client) DM(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Wait)
	defer cancel()
	ch, resp, err := c.api.CreateDirectChannel(ctx, c.me.Id, c.bot.Id)
	if err != nil {
		return apiProblem(c.opts.URL, "open the DM with @"+c.bot.Username, resp, err)
	}
	c.show(ch, "DM with @"+c.bot.Username, true)
	return nil
}

// Reply answers in thread number n of the current view.
func (c *Client) Reply(ctx context.Context, n, text string) error {
	i, err := strconv.Atoi(n)
	c.mu.Lock()
	roots := c.view.roots
	c.mu.Unlock()
	if err != nil || i < 1 || i > len(roots) {
		if len(roots) == 0 {
			return sorry("There is no thread to answer here yet; threads are numbered #1, #2… in a channel.")
		}
		return sorry("Threads here are numbered #1 to #%d: /reply N text.", len(roots))
	}
	if text == "" {
		return sorry("What is the reply? /reply %d text", i)
	}
	return c.Send(ctx, roots[i-1], text)
}

// Expect waits until setbot posts, in the current channel and since the last
// thing sent, a post containing text.
func (c *Client) Expect(ctx context.Context, text string) error {
	if text == "" {
		return sorry("Expect what? /expect TEXT")
	}
	deadline := time.NewTimer(c.opts.Wait)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		var seen []string
		for _, p := range c.botPosts[c.mark:] {
			if strings.Contains(p.Message, text) {
				c.mu.Unlock()
				return nil
			}
			seen = append(seen, p.Message)
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-deadline.C:
			if len(seen) == 0 {
				return sorry("@%s did not answer within %s (waiting for %q).", c.bot.Username, c.opts.Wait, text)
			}
			return sorry("@%s did not answer with %q within %s; it said:\n%s", c.bot.Username, text, c.opts.Wait, strings.Join(seen, "\n---\n"))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// markNow makes /expect look only at setbot's posts from now on.
func (c *Client) markNow() {
	c.mu.Lock()
	c.mark = len(c.botPosts)
	c.mu.Unlock()
}

func (c *Client) channelID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.view.channel.Id
}
