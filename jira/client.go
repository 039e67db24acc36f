// Package jira files and changes SET tickets in Jira Cloud or Data Center
// through REST API v2. It is the only package that knows Jira's JSON. It
// wraps github.com/andygrunwald/go-jira v1.17.0 for requests and
// authentication and does what go-jira lacks or gets wrong itself: paging
// over /search/jql, the new createmeta endpoints, issue properties, escaped
// user search, unassigning, clean request bodies, the documented
// X-Atlassian-Token header, and retries that honour Retry-After.
package jira

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"

	gojira "github.com/andygrunwald/go-jira"
	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
)

// Client talks to one Jira site for one project. Safe for concurrent use.
type Client struct {
	cfg     Config
	jc      *gojira.Client
	log     zerolog.Logger
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
	jitter  func() float64
	policy  retryPolicy
	timeout time.Duration // per attempt
	base    *http.Client

	// routed is set for a client that files into a routing project (a
	// product team's): its tickets are neither assigned nor moved.
	routed bool

	mu   sync.Mutex
	meta *projectMeta // createmeta and attachment settings, read once
	self *userBean    // setbot's own Jira account (GET /myself), read once
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client whose transport carries the requests;
// authentication is added on top. Its Timeout should be zero: each attempt
// has its own (WithAttemptTimeout).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.base = h } }

// WithLogger sets the logger. Tokens and headers are never logged.
func WithLogger(l zerolog.Logger) Option { return func(c *Client) { c.log = l } }

// WithClock sets the clock used to read HTTP-date Retry-After headers.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// WithSleep sets how the client waits between attempts; tests record the
// waits instead of sleeping. The function must return ctx.Err() when ctx
// ends first.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) { c.sleep = sleep }
}

// WithJitter sets the source of backoff jitter, a number in [0,1).
func WithJitter(f func() float64) Option { return func(c *Client) { c.jitter = f } }

// WithRetry sets the attempts per call and the backoff base and cap.
func WithRetry(attempts int, base, cap time.Duration) Option {
	return func(c *Client) { c.policy = retryPolicy{MaxAttempts: attempts, Base: base, Cap: cap} }
}

// WithAttemptTimeout bounds each HTTP attempt.
func WithAttemptTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// New returns a client for cfg, which must have passed Validate (after
// SetDefaults). It makes no request; call Check at start-up.
func New(cfg Config, opts ...Option) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Client{
		cfg:     cfg,
		log:     zerolog.Nop(),
		now:     time.Now,
		sleep:   sleepCtx,
		jitter:  rand.Float64,
		policy:  retryPolicy{MaxAttempts: defaultMaxAttempts, Base: defaultBackoffBase, Cap: defaultBackoffCap},
		timeout: defaultAttemptTimeout,
		base:    &http.Client{},
	}
	for _, o := range opts {
		o(c)
	}
	var transport http.RoundTripper = c.base.Transport
	var rt http.RoundTripper
	if cfg.Deployment == Cloud {
		rt = &gojira.BasicAuthTransport{Username: cfg.Email, Password: cfg.Token, Transport: transport}
	} else {
		rt = &gojira.BearerAuthTransport{Token: cfg.Token, Transport: transport}
	}
	h := &http.Client{Transport: rt, CheckRedirect: c.base.CheckRedirect, Jar: c.base.Jar}
	jc, err := gojira.NewClient(h, cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("jira.url: %w", err)
	}
	c.jc = jc
	c.log = c.log.With().Str("component", "jira").Logger()
	return c, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// apiPath returns the REST API v2 path for a resource ("issue/SET-1").
func apiPath(format string, args ...any) string {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = url.PathEscape(s)
		} else if k, ok := a.(setbot.IssueKey); ok {
			args[i] = url.PathEscape(string(k))
		}
	}
	return "rest/api/2/" + fmt.Sprintf(format, args...)
}

// call is one logical request, retried as the policy allows.
type call struct {
	op     string // what it does, for messages: "create the ticket"
	method string
	path   string
	query  url.Values
	body   any // JSON-encoded when not nil
	// upload, when set, is a multipart attachment upload instead of body.
	upload *setbot.TicketFile
	// idempotent POSTs are retried after an unknown outcome (a 500 or a
	// timeout) like GET, PUT and DELETE; other POSTs return an error marked
	// unknown so the caller can look before trying again.
	idempotent bool
	// single calls are made once: any failure returns at once (marked
	// retryable and unknown as the reason says, with the wait the policy
	// asks for), so that the caller can look at Jira before trying again.
	single bool
}

// do runs c, decoding a 2xx body into out when out is not nil.
func (c *Client) do(ctx context.Context, cl call, out any) error {
	target := cl.path
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}
	repeatable := cl.idempotent || cl.method != http.MethodPost
	for attempt := 1; ; attempt++ {
		status, header, body, terr := c.attempt(ctx, cl, target)
		if terr != nil && ctx.Err() != nil {
			return &apiError{op: cl.op, err: terr, retryable: true, unknown: !repeatable}
		}
		r, wait := classify(status, terr != nil, header.Get("Retry-After"), attempt, c.now(), c.jitter(), c.policy)
		switch {
		case r == reasonOK:
			return decode(cl.op, body, out)
		case r == reasonClientError:
			return newAPIError(cl.op, status, body)
		case cl.single:
			return &apiError{op: cl.op, status: status, err: terr, retryable: true, detail: snippet(body),
				unknown: r.outcomeUnknown(), wait: wait}
		case r.outcomeUnknown() && !repeatable:
			return &apiError{op: cl.op, status: status, err: terr, unknown: true, detail: snippet(body)}
		case r == reasonRetryAfterLong || attempt >= c.policy.MaxAttempts:
			return &apiError{op: cl.op, status: status, err: terr, retryable: true, detail: snippet(body),
				unknown: r.outcomeUnknown(), wait: wait}
		}
		c.log.Warn().Str("op", cl.op).Str("method", cl.method).Str("path", cl.path).Int("status", status).
			Err(terr).Stringer("reason", r).Int("attempt", attempt).Dur("wait", wait).Msg("jira call failed, retrying")
		if err := c.sleep(ctx, wait); err != nil {
			return &apiError{op: cl.op, status: status, err: err, retryable: true, unknown: r.outcomeUnknown()}
		}
	}
}

// maxBody is the most of a response setbot reads; Jira's largest answers
// here are search pages of a few fields.
const maxBody = 16 << 20

// attempt makes one HTTP request. A transport error (including the
// attempt's timeout) is returned as terr with status 0.
func (c *Client) attempt(ctx context.Context, cl call, target string) (status int, h http.Header, body []byte, terr error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := c.newRequest(actx, cl, target)
	if err != nil {
		return 0, http.Header{}, nil, err
	}
	resp, err := c.jc.Do(req, nil)
	if resp == nil || resp.Response == nil {
		if err == nil {
			err = errors.New("no response")
		}
		return 0, http.Header{}, nil, err
	}
	defer resp.Body.Close()
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if rerr != nil {
		return 0, http.Header{}, nil, rerr
	}
	return resp.StatusCode, resp.Header, body, nil
}

func (c *Client) newRequest(ctx context.Context, cl call, target string) (*http.Request, error) {
	if cl.upload == nil {
		return c.jc.NewRequestWithContext(ctx, cl.method, target, cl.body)
	}
	body, length, ctype, err := multipartFile(cl.upload)
	if err != nil {
		return nil, err
	}
	// go-jira takes the body as a *bytes.Buffer; the file is streamed
	// instead, never held whole in memory.
	req, err := c.jc.NewMultiPartRequestWithContext(ctx, cl.method, target, &bytes.Buffer{})
	if err != nil {
		body.Close()
		return nil, err
	}
	req.Body, req.ContentLength = body, length
	req.GetBody = func() (io.ReadCloser, error) {
		b, _, _, err := multipartFile(cl.upload)
		return b, err
	}
	req.Header.Set("Content-Type", ctype)
	// go-jira sends "nocheck"; Atlassian documents "no-check".
	req.Header.Set("X-Atlassian-Token", "no-check")
	return req, nil
}

func decode(op string, body []byte, out any) error {
	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return &apiError{op: op, status: http.StatusOK, err: fmt.Errorf("decode response: %w", err)}
	}
	return nil
}
