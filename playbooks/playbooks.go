// Package playbooks is a small client for the Mattermost Playbooks plugin:
// it asks when a channel's playbook run last had a status update. The plugin
// is licensed and often absent; a server without it answers 404, which is
// not an error here.
//
// It knows the plugin's JSON and nothing else of Mattermost. A Client is safe
// for concurrent use.
package playbooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// runsPath is the plugin's list-runs endpoint.
const runsPath = "/plugins/playbooks/api/v0/runs"

// maxBody bounds the response read: a page of runs for one channel is a few
// kilobytes.
const maxBody = 1 << 20

// perPage asks for enough runs of one channel in one request: a channel is
// linked to one run, rarely a few.
const perPage = "20"

// defaultTimeout is the timeout of the http.Client made when New gets none.
const defaultTimeout = 10 * time.Second

// ErrUnavailable is wrapped by errors that retrying later can fix: the
// server did not answer in time, answered 5xx or 429, or could not be reached.
var ErrUnavailable = errors.New("playbooks unavailable")

// Client asks the Playbooks plugin of one Mattermost server.
type Client struct {
	base  string
	token string
	http  *http.Client
}

// New returns a client for the server at baseURL ("https://mm.example.com")
// that authenticates with token (a bot's access token). A nil httpClient
// means one with a 10-second timeout; each call also honours its ctx.
func New(baseURL, token string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: defaultTimeout}
	}
	return &Client{base: strings.TrimRight(baseURL, "/"), token: token, http: httpClient}
}

// run is the part of the plugin's PlaybookRun that setbot reads.
type run struct {
	ID                 string `json:"id"`
	ChannelID          string `json:"channel_id"`
	LastStatusUpdateAt int64  `json:"last_status_update_at"` // unix ms; 0 when none yet
}

// runList is the plugin's paged list of runs.
type runList struct {
	TotalCount int   `json:"total_count"`
	Items      []run `json:"items"`
}

// LastStatusUpdate returns the newest status update of the playbook runs
// linked to a channel. found is false, with no error, when the server has no
// Playbooks plugin (404) or no run is linked to the channel; found is true
// with a zero at when a run exists but has had no status update yet. Errors
// that retrying can fix wrap ErrUnavailable. The token never appears in an
// error.
func (c *Client) LastStatusUpdate(ctx context.Context, channelID string) (at time.Time, found bool, err error) {
	q := url.Values{"channel_id": {channelID}, "sort": {"last_status_update_at"}, "direction": {"desc"}, "per_page": {perPage}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+runsPath+"?"+q.Encode(), nil)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("playbooks runs request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		// net/http strips any password from the URL in this error.
		return time.Time{}, false, fmt.Errorf("playbooks runs: %w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return time.Time{}, false, fmt.Errorf("playbooks runs: read: %w: %w", ErrUnavailable, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return time.Time{}, false, nil // the plugin is not installed or not enabled
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return time.Time{}, false, fmt.Errorf("playbooks runs: status %d: %w", resp.StatusCode, ErrUnavailable)
	case resp.StatusCode != http.StatusOK:
		return time.Time{}, false, fmt.Errorf("playbooks runs: status %d (check the bot's token and its access to the channel)", resp.StatusCode)
	case len(body) > maxBody:
		return time.Time{}, false, fmt.Errorf("playbooks runs: response larger than %d bytes", maxBody)
	}
	var list runList
	if err := json.Unmarshal(body, &list); err != nil {
		return time.Time{}, false, fmt.Errorf("playbooks runs: decode: %w", err)
	}
	var newest int64
	for _, r := range list.Items {
		if r.ChannelID != "" && r.ChannelID != channelID {
			continue // a server that ignored the filter
		}
		found = true
		newest = max(newest, r.LastStatusUpdateAt)
	}
	if newest > 0 {
		at = time.UnixMilli(newest)
	}
	return at, found, nil
}
