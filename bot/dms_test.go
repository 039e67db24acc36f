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

// TestDirectChannelIsAskedForOncePerPerson: replies to one person ask
// Mattermost for the direct channel once, not before every post; after a
// post there is refused, the next one asks again.
func TestDirectChannelIsAskedForOncePerPerson(t *testing.T) {
	var directs, posts atomic.Int32
	var refuse atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v4/channels/direct":
			directs.Add(1)
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(model.Channel{Id: "dm1", Type: model.ChannelTypeDirect})
		case "/api/v4/posts":
			posts.Add(1)
			if refuse.Load() {
				w.WriteHeader(http.StatusForbidden)
				json.NewEncoder(w).Encode(model.AppError{Id: "api.context.permissions.app_error", StatusCode: http.StatusForbidden})
				return
			}
			var p model.Post
			json.NewDecoder(r.Body).Decode(&p)
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(model.Post{Id: "p1", ChannelId: p.ChannelId})
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := &Client{api: model.NewAPIv4Client(srv.URL), me: &model.User{Id: "bot"}}
	post := func() error {
		_, err := c.Post(context.Background(), setbot.Reply{To: "u1", Text: "hi"}, "")
		return err
	}
	for range 3 {
		if err := post(); err != nil {
			t.Fatal(err)
		}
	}
	if directs.Load() != 1 || posts.Load() != 3 {
		t.Fatalf("3 replies asked for the direct channel %d times (%d posts); want once", directs.Load(), posts.Load())
	}
	refuse.Store(true)
	if err := post(); err == nil {
		t.Fatal("a refused post succeeded")
	}
	refuse.Store(false)
	if err := post(); err != nil {
		t.Fatal(err)
	}
	if directs.Load() != 2 {
		t.Errorf("after a refused post, the next asked for the direct channel %d times in all; want 2", directs.Load())
	}
}
