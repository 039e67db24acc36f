package dispatch

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/setbot/setbot"
)

// Bounds of the people directory.
const (
	// peopleRefresh is how often a listed name is looked up again, so that
	// a deactivated account loses its rights within this time.
	peopleRefresh = 6 * time.Hour
	// peopleLookupBound bounds one lookup while a person waits for an answer.
	peopleLookupBound = 5 * time.Second
)

// people maps the usernames that the config and the stored overrides list
// (rotation seats, admins) to Mattermost user IDs, so that every right is
// checked by the ID of the person who acts, never by a name they can change.
//
// A name is pinned to the account it first resolved to for the life of the
// process: someone who later renames themselves to a listed name (after its
// owner renamed away) gains nothing, while the listed account keeps its
// rights under its new name. A name that does not resolve to an active
// person (unknown, deactivated, a bot) grants nothing. When Mattermost
// cannot be asked, the pinned account is used; with none, nothing is granted
// (fail closed). Safe for concurrent use.
type people struct {
	mu    sync.Mutex
	names map[setbot.Username]pinned
}

type pinned struct {
	id      setbot.UserID // the account the name first resolved to; "" while none
	active  bool          // whether that account is an active person
	checked time.Time
}

// idOf returns the active account that name stands for, or "" when none.
func (d *core) idOf(ctx context.Context, name setbot.Username) setbot.UserID {
	if name == "" {
		return ""
	}
	p, err := d.pinnedFresh(ctx, name)
	if err != nil {
		d.log.Warn().Err(err).Str("username", string(name)).Msg("look up a listed person; keeping what was known")
	}
	if !p.active {
		return ""
	}
	return p.id
}

// pinnedFresh returns what name is pinned to, looking it up again when it
// was not checked within peopleRefresh. On an error it returns what was
// known (possibly nothing) with the error: the caller decides whether to
// go on without Mattermost's answer.
func (d *core) pinnedFresh(ctx context.Context, name setbot.Username) (pinned, error) {
	now := d.now()
	d.people.mu.Lock()
	p, ok := d.people.names[name]
	d.people.mu.Unlock()
	if ok && now.Sub(p.checked) < peopleRefresh {
		return p, nil
	}
	ctx, cancel := context.WithTimeout(ctx, peopleLookupBound)
	next, err := d.resolve(ctx, name, p)
	cancel()
	if err != nil {
		return p, err
	}
	next.checked = now
	d.people.mu.Lock()
	if d.people.names == nil {
		d.people.names = map[setbot.Username]pinned{}
	}
	d.people.names[name] = next
	d.people.mu.Unlock()
	return next, nil
}

// resolve looks name up again: a pinned account by its ID (wherever its
// name went), an unpinned name by the name.
func (d *core) resolve(ctx context.Context, name setbot.Username, p pinned) (pinned, error) {
	var u setbot.User
	var err error
	if p.id != "" {
		u, err = d.chat.User(ctx, p.id)
	} else {
		u, err = d.chat.UserByName(ctx, name)
	}
	switch {
	case setbot.ErrorCode(err) == setbot.ENotFound:
		return pinned{id: p.id}, nil
	case err != nil:
		return p, err
	}
	if u.Username != name {
		d.log.Warn().Str("username", string(name)).Str("user_id", string(u.ID)).Str("now_username", string(u.Username)).
			Msg("a listed person was renamed; their rights stay with their account, not with the name")
	}
	return pinned{id: u.ID, active: !u.IsBot && !u.Deleted}, nil
}

// UserUpdated makes the people directory look again, at the next check,
// at the names pinned to account id and at the names that resolved to
// nobody: the account was renamed, deactivated or made a bot, or took a
// listed name. Safe for concurrent use; it never blocks on I/O.
func (d *Dispatcher) UserUpdated(id setbot.UserID) {
	d.c.people.mu.Lock()
	defer d.c.people.mu.Unlock()
	for name, p := range d.c.people.names {
		if p.id == id || p.id == "" {
			p.checked = time.Time{}
			d.c.people.names[name] = p
		}
	}
}

// isOneOf reports whether the account id is one of the people names lists.
func (d *core) isOneOf(ctx context.Context, id setbot.UserID, names []setbot.Username) bool {
	if id == "" {
		return false
	}
	for _, n := range names {
		if d.idOf(ctx, n) == id {
			return true
		}
	}
	return false
}

// mentions is "@a @b": a mention of each of us, which notifies them.
func mentions(us []setbot.Username) string {
	names := make([]string, len(us))
	for i, u := range us {
		names[i] = "@" + string(u)
	}
	return strings.Join(names, " ")
}

// person finds the active person a command names (`@alice` or `alice`):
// never a bot, a deactivated account, or a channel-wide mention.
func (d *core) person(ctx context.Context, arg string) (setbot.User, error) {
	name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(arg), "@"))
	notFound := setbot.Errorf(setbot.EInvalid, "I can't find a person called `@%s` here. Use their Mattermost username, like `@alice`.", clipArg(name))
	switch name {
	case "", "channel", "all", "here", "everyone":
		return setbot.User{}, notFound
	}
	u, err := d.chat.UserByName(ctx, setbot.Username(name))
	switch {
	case setbot.ErrorCode(err) == setbot.ENotFound || err == nil && (u.Deleted || u.IsBot):
		return setbot.User{}, notFound
	case err != nil:
		return setbot.User{}, err
	}
	return u, nil
}
