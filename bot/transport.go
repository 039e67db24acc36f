package bot

import "net/http"

// idleConnsPerHost is how many idle connections to Mattermost are kept for
// reuse: at least as many as setbot makes requests at once (the
// dispatcher's 8 workers, the outbox's 32 chat workers and its slow lanes'
// few). Go's default keeps 2, so under load most requests opened a
// connection and closed it after: a handshake each, costing both
// processes CPU on a small machine.
const idleConnsPerHost = 64

// newTransport is the HTTP transport of the Mattermost client: Go's
// default, keeping idleConnsPerHost connections for reuse.
func newTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = idleConnsPerHost
	return retryLost{base: t}
}

// retryLost sends a request without a body that only reads (GET, HEAD) once
// more at once when its connection broke before any answer: on a lossy
// network a page step's lookups would otherwise wait for the next timer
// pass. Requests that change something are retried by their callers, which
// know how to make a second try harmless (Post's pending_post_id).
type retryLost struct{ base http.RoundTripper }

func (r retryLost) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err == nil || req.Context().Err() != nil || (req.Method != http.MethodGet && req.Method != http.MethodHead) ||
		(req.Body != nil && req.Body != http.NoBody) {
		return resp, err
	}
	return r.base.RoundTrip(req)
}
