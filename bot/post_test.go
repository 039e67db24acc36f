package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot"
)

// TestPostTriesAgainAtOnceWhenTheConnectionDrops: a post whose connection
// breaks before any answer is sent again at once, with the same
// pending_post_id (which lets Mattermost return the first post if it was
// made); an HTTP error answer is not retried here (the outbox does).
func TestPostTriesAgainAtOnceWhenTheConnectionDrops(t *testing.T) {
	var calls atomic.Int32
	var pending []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p model.Post
		json.NewDecoder(r.Body).Decode(&p)
		pending = append(pending, p.PendingPostId)
		switch calls.Add(1) {
		case 1: // the connection drops
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		case 2:
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(model.Post{Id: "p1", ChannelId: p.ChannelId})
		default:
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	c := &Client{api: model.NewAPIv4Client(srv.URL), me: &model.User{Id: "bot"}}
	id, err := c.Post(context.Background(), setbot.Reply{ChannelID: "c1", Text: "hi"}, "job-7")
	if err != nil || id != "p1" || calls.Load() != 2 {
		t.Fatalf("Post = %q, %v after %d calls; want p1 after 2", id, err, calls.Load())
	}
	if pending[0] == "" || pending[0] != pending[1] {
		t.Errorf("pending_post_id %q then %q; want the same, set", pending[0], pending[1])
	}
	// A 500 is an answer: not retried at once.
	if _, err := c.Post(context.Background(), setbot.Reply{ChannelID: "c1", Text: "hi"}, "job-8"); err == nil || calls.Load() != 3 {
		t.Errorf("after a 500: %v, %d calls; want an error after one call", err, calls.Load())
	}
}

// TestReadsAreTriedAgainWhenTheConnectionDrops: a GET whose connection
// breaks before any answer is sent once more at once; a POST is not (its
// caller decides).
func TestReadsAreTriedAgainWhenTheConnectionDrops(t *testing.T) {
	var gets, posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := gets.Load()
		if r.Method == http.MethodPost {
			posts.Add(1)
		} else {
			n = gets.Add(1)
		}
		if r.Method == http.MethodPost || n == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		json.NewEncoder(w).Encode(model.User{Id: "u1", Username: "alice"})
	}))
	defer srv.Close()
	hc := &http.Client{Transport: retryLost{base: http.DefaultTransport}}
	resp, err := hc.Get(srv.URL + "/api/v4/users/username/alice")
	if err != nil || gets.Load() != 2 {
		t.Fatalf("GET: %v after %d tries; want an answer after 2", err, gets.Load())
	}
	resp.Body.Close()
	if _, err := hc.Post(srv.URL+"/api/v4/posts", "application/json", nil); err == nil || posts.Load() != 1 {
		t.Errorf("POST: %v after %d tries; want the error after 1", err, posts.Load())
	}
}
