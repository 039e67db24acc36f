// Package bot connects setbot to Mattermost. It is the only importer of the
// Mattermost model package: it logs in, listens on the websocket, catches up
// over REST, posts, and turns Mattermost types into setbot types and back
// (translate.go).
package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot"
)

// Config says where the Mattermost server is and what setbot serves there.
type Config struct {
	URL        string // server URL, e.g. https://chat.example.com
	Token      string // the bot account's access token
	Team       string // team name
	SETChannel string // channel name of ~sustained-engineering
	AskChannel string // channel name of ~ask-r-and-d
	PublicURL  string // how Mattermost reaches setbot's HTTP server, for buttons
	// Now is the clock (buttons expire); nil: time.Now.
	Now func() time.Time
	// TempDir is where a large upload is downloaded to (Chat.File); ""
	// is os.TempDir().
	TempDir string
}

// Client is a logged-in bot. It implements setbot.Chat and is safe for
// concurrent use.
type Client struct {
	api  *model.Client4
	cfg  Config
	me   *model.User
	team *model.Team
	set  *model.Channel
	ask  *model.Channel
	sign *signer
	dms  dmCache
}

var _ setbot.Chat = (*Client)(nil)

func (c *Client) now() time.Time {
	if c.cfg.Now == nil {
		return time.Now()
	}
	return c.cfg.Now()
}

// Connect logs in with the bot token and resolves the team and channels. A
// token that is not a bot's, a missing channel, or a bot that is not a member
// is refused with a message that says what to do.
func Connect(ctx context.Context, cfg Config, buttonKey []byte) (*Client, error) {
	api := model.NewAPIv4Client(strings.TrimRight(cfg.URL, "/"))
	api.HTTPClient = &http.Client{Transport: newTransport()}
	api.SetToken(cfg.Token)
	c := &Client{api: api, cfg: cfg, sign: &signer{key: buttonKey}}
	me, resp, err := api.GetMe(ctx, "")
	if err != nil {
		return nil, loginError(cfg.URL, resp, err)
	}
	if !me.IsBot {
		return nil, setbot.Errorf(setbot.EUnconfigured,
			"the token belongs to @%s, a person, not a bot account: create one in System Console > Integrations > Bot Accounts (enable bot account creation first), then use its access token", me.Username)
	}
	c.me = me
	if c.team, resp, err = api.GetTeamByName(ctx, cfg.Team, ""); err != nil {
		return nil, lookupError(resp, err, fmt.Sprintf("team %q (mattermost.team)", cfg.Team))
	}
	if c.set, err = c.memberChannel(ctx, cfg.SETChannel, "mattermost.set_channel"); err != nil {
		return nil, err
	}
	if c.ask, err = c.memberChannel(ctx, cfg.AskChannel, "mattermost.ask_channel"); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Client) memberChannel(ctx context.Context, name, key string) (*model.Channel, error) {
	ctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	ch, resp, err := c.api.GetChannelByName(ctx, name, c.team.Id, "")
	if err != nil {
		return nil, lookupError(resp, err, fmt.Sprintf("channel ~%s (%s) in team %s; if it is private, add @%s to it", name, key, c.team.Name, c.me.Username))
	}
	if _, resp, err := c.api.GetChannelMember(ctx, ch.Id, c.me.Id, ""); err != nil {
		return nil, lookupError(resp, err, fmt.Sprintf("@%s's membership of ~%s: add the bot to the channel (/invite @%s in ~%s)", c.me.Username, name, c.me.Username, name))
	}
	return ch, nil
}

// Me is the bot's own user.
func (c *Client) Me() setbot.User { return userOf(c.me) }

// Channels returns the ids of ~sustained-engineering and ~ask-r-and-d.
func (c *Client) Channels() (set, ask setbot.ChannelID) {
	return setbot.ChannelID(c.set.Id), setbot.ChannelID(c.ask.Id)
}

// TeamName is the team the bot serves.
func (c *Client) TeamName() string { return c.team.Name }

// Ping checks that the server answers and the token is still valid.
func (c *Client) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	_, resp, err := c.api.GetMe(ctx, "")
	if err != nil {
		return loginError(c.cfg.URL, resp, err)
	}
	return nil
}

func loginError(url string, resp *model.Response, err error) error {
	switch status(resp) {
	case http.StatusUnauthorized:
		return setbot.Errorf(setbot.EUnconfigured, "Mattermost at %s refused the bot token (revoked or mistyped): create a new token for the bot account and set mattermost.token or SETBOT_MATTERMOST_TOKEN", url)
	case 0:
		return &wrapped{safe: setbot.Errorf(setbot.EUnavailable, "cannot reach Mattermost at %s: check mattermost.url and that the server is up", url), cause: err}
	}
	return apiError(resp, err, "log in")
}

func lookupError(resp *model.Response, err error, what string) error {
	if s := status(resp); s == http.StatusNotFound || s == http.StatusForbidden {
		return setbot.Errorf(setbot.EUnconfigured, "cannot find %s", what)
	}
	return apiError(resp, err, "look up "+what)
}

// apiError turns a Client4 failure into a setbot error: 5xx and network
// failures are EUnavailable (retrying can help), 4xx say what was refused.
func apiError(resp *model.Response, err error, doing string) error {
	s := status(resp)
	var code string
	switch {
	case s == 0 || s >= 500 || s == http.StatusTooManyRequests:
		code = setbot.EUnavailable
	case s == http.StatusUnauthorized:
		code = setbot.EUnconfigured
	case s == http.StatusForbidden:
		code = setbot.EForbidden
	case s == http.StatusNotFound:
		code = setbot.ENotFound
	case s == http.StatusRequestEntityTooLarge:
		code = setbot.ETooLarge
	default:
		code = setbot.EInvalid
	}
	w := &wrapped{safe: setbot.Errorf(code, "Mattermost could not %s (HTTP %d)", doing, s), cause: err}
	if resp != nil && (s == http.StatusTooManyRequests || s == http.StatusServiceUnavailable) {
		if secs, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && secs > 0 {
			w.wait = &setbot.Throttled{After: time.Duration(secs) * time.Second}
		}
	}
	return w
}

// wrapped keeps the person-safe *setbot.Error first in the chain while the
// cause stays available to the log.
type wrapped struct {
	safe  *setbot.Error
	cause error
	wait  *setbot.Throttled // Mattermost's Retry-After, when it sent one
}

func (w *wrapped) Error() string { return w.safe.Error() + ": " + w.cause.Error() }
func (w *wrapped) Unwrap() []error {
	if w.wait != nil {
		return []error{w.safe, w.cause, w.wait}
	}
	return []error{w.safe, w.cause}
}

func status(resp *model.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// IsUnavailable reports whether err means Mattermost could not be reached.
func IsUnavailable(err error) bool { return setbot.ErrorCode(err) == setbot.EUnavailable }

var errTooLarge = errors.New("file too large")

// restTimeout bounds one Mattermost REST call, so that one hung call never
// holds up the timer loop (escalation, reminders, reports) or shutdown.
const restTimeout = 10 * time.Second

// downloadRate is the slowest download setbot waits for: a file of n bytes
// gets restTimeout plus n/downloadRate seconds.
const downloadRate = 1 << 20 // 1 MiB/s

// downloadTimeout bounds downloading a file of size bytes.
func downloadTimeout(size int64) time.Duration {
	return restTimeout + time.Duration(size/downloadRate)*time.Second
}
