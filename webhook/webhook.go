// Package webhook sends setbot's page events (setbot.PageHook) as plain JSON
// to one outbound URL, so that a team can keep an external pager in the loop.
// It is the only package that talks to that URL.
//
// The URL often carries a secret (a token in its path or query). It never
// appears in an error or a log line: errors name the host only.
//
// A Client is safe for concurrent use.
package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/setbot/setbot"
)

// DefaultTimeout bounds one delivery when New gets no http.Client. Deliveries
// run from setbot's outbox lane for slow calls; a pager endpoint that takes
// longer than this is treated as unavailable and retried later.
const DefaultTimeout = 10 * time.Second

// maxErrorBody bounds how much of a refusal's body is read (and dropped):
// enough to reuse the connection, never stored or logged.
const maxErrorBody = 4 << 10

// Client posts JSON to one URL.
type Client struct {
	url  string
	host string // for errors: the URL without path, query or credentials
	http *http.Client
}

// New returns a client for rawURL, which must be an absolute http(s) URL
// without credentials in its user part. A nil httpClient means one with
// DefaultTimeout; each call also honours its ctx.
func New(rawURL string, httpClient *http.Client) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("webhook URL must be an absolute http(s) URL")
	}
	if u.User != nil {
		return nil, errors.New("webhook URL must not contain credentials before the host")
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: DefaultTimeout}
	}
	return &Client{url: rawURL, host: u.Scheme + "://" + u.Host, http: httpClient}, nil
}

// Host is the URL's scheme and host, safe to log.
func (c *Client) Host() string { return c.host }

// Send posts h as JSON. It returns nil on any 2xx answer; an *setbot.Error
// with EUnavailable when retrying later can help (no answer, a timeout, 5xx,
// 408 or 429) and EInvalid when the endpoint refused the event (any other
// answer). No error contains the URL's path or query.
func (c *Client) Send(ctx context.Context, h setbot.PageHook) error {
	body, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("encode webhook body: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return setbot.Errorf(setbot.EInvalid, "The page webhook at %s cannot be called.", c.host)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "setbot")
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error carries the whole URL: describe it instead of wrapping it.
		return setbot.Errorf(setbot.EUnavailable, "The page webhook at %s did not answer (%s).", c.host, transportReason(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	return classify(resp.StatusCode, c.host)
}

// classify is the one place that decides which answers are retried.
func classify(status int, host string) error {
	switch {
	case status >= 200 && status < 300:
		return nil
	case status >= 500, status == http.StatusTooManyRequests, status == http.StatusRequestTimeout:
		return setbot.Errorf(setbot.EUnavailable, "The page webhook at %s answered %d; it will be retried.", host, status)
	default:
		return setbot.Errorf(setbot.EInvalid, "The page webhook at %s refused the event with %d.", host, status)
	}
}

// transportReason names a transport failure without the URL.
func transportReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "timed out"
		}
		err = ue.Err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "gave up waiting"
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	return "connection failed"
}
