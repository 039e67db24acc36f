// Package mmtest drives a real Mattermost server for setbot's end-to-end
// tests: it bootstraps the people, team, channels and bot account, and acts
// as a person (posts, replies, uploads, button clicks) while watching that
// person's own websocket for the bot's answers.
//
// It imports the Mattermost model package although package bot is meant to
// be its only importer: this is test code playing the people around setbot,
// not part of setbot.
package mmtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// EnvURL names the environment variable with the test server's address.
// (devstack/stack env exports it).
const EnvURL = "SETBOT_MM_URL"

// Names used by the bootstrap. The team and channels are fixed so that a
// server reused across runs is bootstrapped idempotently.
const (
	TeamName   = "set-e2e"
	SETChannel = "sustained-engineering"
	AskChannel = "ask-r-and-d"
	BotName    = "setbot"
	OtherBot   = "otherbot"
	Password   = "Setbot-e2e-Passw0rd!"
)

// World is a bootstrapped server.
type World struct {
	URL      string
	Admin    *model.Client4
	Team     *model.Team
	SET, Ask *model.Channel
	Bot      *model.User
	BotToken string
	Other    *model.User // another bot, whose posts setbot must ignore
	OtherTok string
	Users    map[string]*model.User // support1, support2, alice, bob, carol, dave
}

// URLFromEnv returns the test server's address, or an error that says how to
// start one.
func URLFromEnv() (string, error) {
	u := os.Getenv(EnvURL)
	if u == "" {
		return "", errors.New(EnvURL + " is not set: start a server with `devstack/stack start` and `eval \"$(devstack/stack env)\"`")
	}
	return strings.TrimRight(u, "/"), nil
}

// People lists the human accounts the bootstrap makes.
var People = []string{"support1", "support2", "alice", "bob", "carol", "dave"}

// Bootstrap makes (or finds) the admin, people, team, channels and bots.
func Bootstrap(ctx context.Context, url string) (*World, error) {
	w := &World{URL: url, Users: map[string]*model.User{}}
	admin, err := ensureUser(ctx, url, adminName(), nil)
	if err != nil {
		return nil, fmt.Errorf("admin: %w", err)
	}
	w.Admin = admin
	if _, err := admin.UpdateUserRoles(ctx, mustMe(ctx, admin).Id, model.SystemAdminRoleId+" "+model.SystemUserRoleId); err != nil {
		// The first user is system admin already; a later one cannot promote itself.
		if !isAdmin(ctx, admin) {
			return nil, fmt.Errorf("sysadmin is not a system admin (was the database used before?): %w", err)
		}
	}
	if w.Team, err = ensureTeam(ctx, admin); err != nil {
		return nil, err
	}
	if w.SET, err = ensureChannel(ctx, admin, w.Team.Id, SETChannel, "Sustained Engineering"); err != nil {
		return nil, err
	}
	if w.Ask, err = ensureChannel(ctx, admin, w.Team.Id, AskChannel, "Ask R&D"); err != nil {
		return nil, err
	}
	for _, name := range People {
		c, err := ensureUser(ctx, url, name, admin)
		if err != nil {
			return nil, fmt.Errorf("user %s: %w", name, err)
		}
		u := mustMe(ctx, c)
		w.Users[name] = u
		if err := w.join(ctx, u.Id); err != nil {
			return nil, err
		}
	}
	if w.Bot, w.BotToken, err = w.ensureBot(ctx, BotName); err != nil {
		return nil, err
	}
	if w.Other, w.OtherTok, err = w.ensureBot(ctx, OtherBot); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *World) join(ctx context.Context, userID string) error {
	if _, _, err := w.Admin.AddTeamMember(ctx, w.Team.Id, userID); err != nil {
		return fmt.Errorf("add %s to team: %w", userID, err)
	}
	for _, ch := range []*model.Channel{w.SET, w.Ask} {
		if _, _, err := w.Admin.AddChannelMember(ctx, ch.Id, userID); err != nil {
			return fmt.Errorf("add %s to %s: %w", userID, ch.Name, err)
		}
	}
	return nil
}

// adminName and passwordOf follow devstack/stack env when it is in use.
func adminName() string {
	if n := os.Getenv("SETBOT_MM_ADMIN_USERNAME"); n != "" {
		return n
	}
	return "sysadmin"
}

func passwordOf(name string) string {
	if p := os.Getenv("SETBOT_MM_ADMIN_PASSWORD"); p != "" && name == adminName() {
		return p
	}
	return Password
}

func ensureUser(ctx context.Context, url, name string, admin *model.Client4) (*model.Client4, error) {
	c := model.NewAPIv4Client(url)
	if _, _, err := c.Login(ctx, name, passwordOf(name)); err == nil {
		return c, nil
	}
	creator := admin
	if creator == nil {
		creator = c // the first user signs up on an open server
	}
	_, _, err := creator.CreateUser(ctx, &model.User{Username: name, Email: name + "@example.com", Password: passwordOf(name), EmailVerified: true})
	if err != nil {
		return nil, fmt.Errorf("create: %w", err)
	}
	if _, _, err := c.Login(ctx, name, passwordOf(name)); err != nil {
		return nil, fmt.Errorf("log in: %w", err)
	}
	return c, nil
}

func mustMe(ctx context.Context, c *model.Client4) *model.User {
	u, _, err := c.GetMe(ctx, "")
	if err != nil {
		panic(fmt.Sprintf("GetMe after login: %v", err))
	}
	return u
}

func isAdmin(ctx context.Context, c *model.Client4) bool {
	return strings.Contains(mustMe(ctx, c).Roles, model.SystemAdminRoleId)
}

func ensureTeam(ctx context.Context, admin *model.Client4) (*model.Team, error) {
	if t, _, err := admin.GetTeamByName(ctx, TeamName, ""); err == nil {
		return t, nil
	}
	t, _, err := admin.CreateTeam(ctx, &model.Team{Name: TeamName, DisplayName: "SET e2e", Type: model.TeamOpen})
	if err != nil {
		return nil, fmt.Errorf("create team: %w", err)
	}
	return t, nil
}

func ensureChannel(ctx context.Context, admin *model.Client4, teamID, name, display string) (*model.Channel, error) {
	if ch, _, err := admin.GetChannelByName(ctx, name, teamID, ""); err == nil {
		return ch, nil
	}
	ch, _, err := admin.CreateChannel(ctx, &model.Channel{TeamId: teamID, Name: name, DisplayName: display, Type: model.ChannelTypeOpen})
	if err != nil {
		return nil, fmt.Errorf("create channel %s: %w", name, err)
	}
	return ch, nil
}

// Channel makes (or finds) another open channel of the team, with every
// person and the setbot bot as members: an incident's own channel, say.
func (w *World) Channel(ctx context.Context, name string) (*model.Channel, error) {
	ch, err := ensureChannel(ctx, w.Admin, w.Team.Id, name, name)
	if err != nil {
		return nil, err
	}
	ids := []string{w.Bot.Id}
	for _, u := range w.Users {
		ids = append(ids, u.Id)
	}
	for _, id := range ids {
		if _, _, err := w.Admin.AddChannelMember(ctx, ch.Id, id); err != nil {
			return nil, fmt.Errorf("add %s to %s: %w", id, name, err)
		}
	}
	return ch, nil
}

// ensureBot makes (or finds) a bot account, adds it to the team and the two
// channels, and gives it a fresh access token.
func (w *World) ensureBot(ctx context.Context, name string) (*model.User, string, error) {
	u, resp, err := w.Admin.GetUserByUsername(ctx, name, "")
	if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
		return nil, "", fmt.Errorf("look up bot %s: %w", name, err)
	}
	if u == nil {
		b, _, err := w.Admin.CreateBot(ctx, &model.Bot{Username: name, DisplayName: name, Description: "e2e"})
		if err != nil {
			return nil, "", fmt.Errorf("create bot %s: %w", name, err)
		}
		if u, _, err = w.Admin.GetUser(ctx, b.UserId, ""); err != nil {
			return nil, "", err
		}
	}
	if err := w.join(ctx, u.Id); err != nil {
		return nil, "", err
	}
	tok, _, err := w.Admin.CreateUserAccessToken(ctx, u.Id, "e2e "+time.Now().Format(time.RFC3339Nano), 0)
	if err != nil {
		return nil, "", fmt.Errorf("token for %s: %w", name, err)
	}
	return u, tok.Token, nil
}

// Person logs in as name and opens their websocket. A name that is not one
// of People gets an account the first time, in the team and both channels
// (the fault suite's crowds of support engineers).
func (w *World) Person(ctx context.Context, name string) (*Person, error) {
	c := model.NewAPIv4Client(w.URL)
	if _, _, err := c.Login(ctx, name, Password); err != nil {
		if c, err = ensureUser(ctx, w.URL, name, w.Admin); err != nil {
			return nil, fmt.Errorf("log in %s: %w", name, err)
		}
		if err := w.join(ctx, mustMe(ctx, c).Id); err != nil {
			return nil, err
		}
	}
	return newPerson(ctx, w, c, mustMe(ctx, c))
}

// BotClient is a client acting as the other bot (to check that setbot
// ignores bots).
func (w *World) BotClient(ctx context.Context) (*Person, error) {
	c := model.NewAPIv4Client(w.URL)
	c.SetToken(w.OtherTok)
	return newPerson(ctx, w, c, w.Other)
}
