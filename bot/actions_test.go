package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/rs/zerolog"

	"github.com/setbot/setbot"
)

// TestActionHandlerChecksChannelAndExpiry: a click reaches the handler only
// with the context setbot signed for that channel, before it expires; the
// clicker's ID is passed on as Mattermost sent it.
func TestActionHandlerChecksChannelAndExpiry(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	c := &Client{cfg: Config{Now: func() time.Time { return now }}, sign: &signer{key: []byte("0123456789abcdef0123456789abcdef")}}
	var got []setbot.Click
	h := c.ActionHandler(zerolog.Nop(), func(_ context.Context, cl setbot.Click) string {
		got = append(got, cl)
		return "done"
	})
	click := func(channel string, ctx map[string]any) (int, string) {
		body, _ := json.Marshal(model.PostActionIntegrationRequest{UserId: "u1", UserName: "lead1", ChannelId: channel, PostId: "p1", Context: ctx})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, ActionPath, bytes.NewReader(body)))
		return rec.Code, rec.Body.String()
	}
	signed := c.buttonContext("page:ack:p1", "ch1")
	if code, body := click("ch1", signed); code != http.StatusOK || !strings.Contains(body, "done") || len(got) != 1 || got[0].UserID != "u1" {
		t.Fatalf("a good click: %d %s %+v", code, body, got)
	}
	if code, _ := click("ch2", signed); code != http.StatusForbidden {
		t.Errorf("the context replayed in another channel: %d, want 403", code)
	}
	forged := map[string]any{"action": "page:ack:p2", "exp": signed["exp"], "sig": signed["sig"]}
	if code, _ := click("ch1", forged); code != http.StatusForbidden {
		t.Errorf("another action with the same signature: %d, want 403", code)
	}
	now = now.Add(buttonLife + time.Minute)
	if code, body := click("ch1", signed); code != http.StatusOK || !strings.Contains(body, "expired") {
		t.Errorf("an expired button: %d %s", code, body)
	}
	if len(got) != 1 {
		t.Errorf("the handler ran %d times, want once", len(got))
	}
}
