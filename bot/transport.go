package bot

import "net/http"

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
