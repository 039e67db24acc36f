package bot

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot"
)

// maxCachedDMs bounds the direct-channel cache: far more people than DM
// setbot in a year, and at about 100 bytes each, 1 MB at most.
const maxCachedDMs = 10000

// dmCache remembers the direct channel with each person. Mattermost makes
// one per pair of users and keeps it (direct channels cannot be deleted or
// archived), so the id is asked for once per person, not before every
// reply: that ask was a round trip to Mattermost in front of every DM
// setbot sent, one that a person answering another does not make (issue
// 17 compares setbot's replies with such an echo). The zero value is
// ready. Safe for concurrent use.
type dmCache struct {
	mu  sync.Mutex
	ids map[setbot.UserID]string
}

func (d *dmCache) get(user setbot.UserID) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	id, ok := d.ids[user]
	return id, ok
}

func (d *dmCache) put(user setbot.UserID, id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ids == nil || len(d.ids) >= maxCachedDMs {
		d.ids = map[setbot.UserID]string{} // start over rather than track age: a miss costs one round trip
	}
	d.ids[user] = id
}

// forget drops user's channel, after Mattermost refused a post there.
func (d *dmCache) forget(user setbot.UserID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.ids, user)
}

// dmChannel is the direct channel between the bot and user, made on first
// use and cached.
func (c *Client) dmChannel(ctx context.Context, user setbot.UserID) (string, error) {
	if user == "" {
		return "", fmt.Errorf("reply has neither a channel nor a recipient")
	}
	if id, ok := c.dms.get(user); ok {
		return id, nil
	}
	ctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	ch, resp, err := c.api.CreateDirectChannel(ctx, c.me.Id, string(user))
	if err != nil {
		return "", apiError(resp, err, "open a direct message")
	}
	c.dms.put(user, ch.Id)
	return ch.Id, nil
}

// refusedChannel reports whether Mattermost refused a post because of its
// channel (gone, or the bot no longer in it): a cached direct channel is
// then asked for again next time.
func refusedChannel(resp *model.Response) bool {
	return resp != nil && (resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusForbidden)
}
