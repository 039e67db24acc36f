package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot"
)

// refProp is the post property that carries the idempotency key of the
// job that made the post, so that a retry long after the first attempt can
// find it (pending_post_id dedupes for 30 s only).
const refProp = "setbot_ref"

// Post makes a post. The key becomes the post's pending_post_id, which
// Mattermost uses to drop a second create with the same id for a while, and
// its refProp, which FindPost looks for after that.
func (c *Client) Post(ctx context.Context, r setbot.Reply, key string) (setbot.PostID, error) {
	ch, err := c.replyChannel(ctx, r)
	if err != nil {
		return "", err
	}
	p := c.toPost(ch, r)
	for _, f := range r.Files {
		id, err := c.upload(ctx, ch, f)
		if err != nil {
			return "", err
		}
		p.FileIds = append(p.FileIds, id)
	}
	if key != "" {
		p.PendingPostId = c.me.Id + ":" + key
		p.AddProp(refProp, key)
	}
	ctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	created, resp, err := c.api.CreatePost(ctx, p)
	if err != nil && lostConnection(ctx, resp) {
		// The connection broke before an answer: try once more at once
		// rather than after the outbox's backoff (a page step is late
		// otherwise). The same pending_post_id makes Mattermost return
		// the first post if it was made after all.
		created, resp, err = c.api.CreatePost(ctx, p)
	}
	if err != nil {
		if r.ChannelID == "" && refusedChannel(resp) {
			c.dms.forget(r.To)
		}
		return "", apiError(resp, err, "post a reply")
	}
	return setbot.PostID(created.Id), nil
}

// lostConnection reports whether a call failed without any HTTP answer
// (a dropped connection), with time left to try again.
func lostConnection(ctx context.Context, resp *model.Response) bool {
	return ctx.Err() == nil && (resp == nil || resp.StatusCode == 0)
}

// upload stores a file of setbot's in channel ch and returns its id, to
// attach to a post. A retry after a lost answer uploads it again: the
// unattached copy costs only space.
func (c *Client) upload(ctx context.Context, ch string, f setbot.ReplyFile) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, downloadTimeout(int64(len(f.Data))))
	defer cancel()
	up, resp, err := c.api.UploadFile(ctx, f.Data, ch, f.Name)
	if err != nil {
		return "", apiError(resp, err, "upload "+f.Name)
	}
	if len(up.FileInfos) != 1 {
		return "", fmt.Errorf("upload %s: Mattermost returned %d files", f.Name, len(up.FileInfos))
	}
	return up.FileInfos[0].Id, nil
}

// replyChannel is where r goes: its channel, or the DM with r.To.
func (c *Client) replyChannel(ctx context.Context, r setbot.Reply) (string, error) {
	if r.ChannelID != "" {
		return string(r.ChannelID), nil
	}
	return c.dmChannel(ctx, r.To)
}

// FindPost looks, among setbot's posts in r's channel since since, for the
// one made with key; found is false when there is none.
func (c *Client) FindPost(ctx context.Context, r setbot.Reply, key string, since time.Time) (setbot.PostID, bool, error) {
	ch, err := c.replyChannel(ctx, r)
	if err != nil {
		return "", false, err
	}
	ctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	list, resp, err := c.api.GetPostsSince(ctx, ch, since.UnixMilli(), false)
	if err != nil {
		return "", false, apiError(resp, err, "look for a post made before")
	}
	for id, p := range list.Posts {
		if p.UserId == c.me.Id && p.GetProp(refProp) == key {
			return setbot.PostID(id), true, nil
		}
	}
	return "", false, nil
}

// Typing shows the typing indicator where the reply will appear.
func (c *Client) Typing(ctx context.Context, channel setbot.ChannelID, to setbot.UserID, root setbot.PostID) error {
	ctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	ch := string(channel)
	if ch == "" {
		dm, err := c.dmChannel(ctx, to)
		if err != nil {
			return err
		}
		ch = dm
	}
	resp, err := c.api.PublishUserTyping(ctx, c.me.Id, model.TypingRequest{ChannelId: ch, ParentId: string(root)})
	if err != nil {
		return apiError(resp, err, "show typing")
	}
	return nil
}

// File downloads an upload, refusing one larger than max bytes before it is
// downloaded. The body is streamed: a file larger than
// setbot.ContentMemoryBytes goes to a temporary file in Config.TempDir
// (File.Content.Path), which the caller removes. A failed download leaves
// no file behind.
func (c *Client) File(ctx context.Context, id setbot.FileID, max int64) (setbot.File, error) {
	ictx, cancel := context.WithTimeout(ctx, restTimeout)
	info, resp, err := c.api.GetFileInfo(ictx, string(id))
	cancel()
	if err != nil {
		return setbot.File{}, apiError(resp, err, "read an uploaded file's details")
	}
	f := setbot.File{ID: id, Name: info.Name, Size: info.Size, MimeType: info.MimeType}
	if max > 0 && info.Size > max {
		return f, c.tooLarge(info.Name, info.Size, max)
	}
	dctx, cancel := context.WithTimeout(ctx, downloadTimeout(info.Size))
	defer cancel()
	r, err := c.api.DoAPIGet(dctx, "/files/"+url.PathEscape(string(id)), "")
	if err != nil {
		return f, apiError(model.BuildResponse(r), err, "download "+info.Name)
	}
	defer r.Body.Close()
	w := setbot.NewContentWriter(c.cfg.TempDir, max)
	_, err = io.Copy(w, r.Body)
	if errors.Is(err, setbot.ErrContentTooLarge) { // larger than its file info said
		w.Discard()
		return f, c.tooLarge(info.Name, max+1, max)
	}
	if err != nil {
		w.Discard()
		return f, apiError(nil, err, "download "+info.Name)
	}
	if f.Content, err = w.Finish(); err != nil {
		return f, fmt.Errorf("download %s: %w", info.Name, err)
	}
	return f, nil
}

func (c *Client) tooLarge(name string, size, max int64) error {
	return &wrapped{safe: setbot.Errorf(setbot.ETooLarge, "%s is %s, more than the %s I accept for one file", name, humanBytes(size), humanBytes(max)), cause: errTooLarge}
}

// Message returns a post by id.
func (c *Client) Message(ctx context.Context, id setbot.PostID) (setbot.Message, error) {
	ctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	p, resp, err := c.api.GetPost(ctx, string(id), "")
	if err != nil {
		return setbot.Message{}, apiError(resp, err, "read a post")
	}
	return c.toMessage(p, nil), nil
}

// User returns a user by id.
func (c *Client) User(ctx context.Context, id setbot.UserID) (setbot.User, error) {
	ctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	u, resp, err := c.api.GetUser(ctx, string(id), "")
	if err != nil {
		return setbot.User{}, apiError(resp, err, "look up a user")
	}
	return userOf(u), nil
}

// UserByName returns a user by username (a leading '@' is ignored).
func (c *Client) UserByName(ctx context.Context, name setbot.Username) (setbot.User, error) {
	ctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	n := strings.TrimPrefix(string(name), "@")
	u, resp, err := c.api.GetUserByUsername(ctx, n, "")
	if err != nil {
		if status(resp) == 404 {
			return setbot.User{}, setbot.Errorf(setbot.ENotFound, "There is no user @%s.", n)
		}
		return setbot.User{}, apiError(resp, err, "look up @"+n)
	}
	return userOf(u), nil
}

// ChannelByName finds a channel of the bot's team that the bot is a member
// of, by name (a leading '~' is ignored).
func (c *Client) ChannelByName(ctx context.Context, name string) (setbot.ChannelID, error) {
	ctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	n := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(name), "~"))
	ch, resp, err := c.api.GetChannelByName(ctx, n, c.team.Id, "")
	if err != nil {
		if s := status(resp); s == http.StatusNotFound || s == http.StatusForbidden {
			return "", setbot.Errorf(setbot.ENotFound, "There is no channel ~%s in team %s that I can see.", n, c.team.Name)
		}
		return "", apiError(resp, err, "look up ~"+n)
	}
	if _, resp, err := c.api.GetChannelMember(ctx, ch.Id, c.me.Id, ""); err != nil {
		if s := status(resp); s == http.StatusNotFound || s == http.StatusForbidden {
			return "", setbot.Errorf(setbot.EForbidden, "I am not a member of ~%s: add me with `/invite @%s` there first.", n, c.me.Username)
		}
		return "", apiError(resp, err, "check my membership of ~"+n)
	}
	return setbot.ChannelID(ch.Id), nil
}

// Permalink is the URL of a post in the bot's team.
func (c *Client) Permalink(id setbot.PostID) string {
	return strings.TrimRight(c.cfg.URL, "/") + "/" + c.team.Name + "/pl/" + string(id)
}

// Header reads a channel header.
func (c *Client) Header(ctx context.Context, channel setbot.ChannelID) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	ch, resp, err := c.api.GetChannel(ctx, string(channel))
	if err != nil {
		return "", apiError(resp, err, "read the channel header")
	}
	return ch.Header, nil
}

// SetHeader writes a channel header.
func (c *Client) SetHeader(ctx context.Context, channel setbot.ChannelID, header string) error {
	ctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	_, resp, err := c.api.PatchChannel(ctx, string(channel), &model.ChannelPatch{Header: &header})
	if err != nil {
		return apiError(resp, err, "update the channel header")
	}
	return nil
}

// AddToChannel adds users to channel (those already in it stay).
func (c *Client) AddToChannel(ctx context.Context, channel setbot.ChannelID, users []setbot.UserID) error {
	ctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = string(u)
	}
	_, resp, err := c.api.AddChannelMembers(ctx, string(channel), "", ids)
	if err != nil {
		return apiError(resp, err, "add people to the channel")
	}
	return nil
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
