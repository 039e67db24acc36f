package bot

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot"
)

// TestNotAPersonRefusesImpersonation: a post from an incoming webhook, one
// that shows another name, a bot's, a system message and setbot's own are
// never taken as a person's word; a person's plain post is.
func TestNotAPersonRefusesImpersonation(t *testing.T) {
	const me = "bot-id"
	post := func(user string, props model.StringInterface) *model.Post {
		p := &model.Post{UserId: user, Message: "@setbot override next primary @randomuser"}
		p.SetProps(props)
		return p
	}
	for _, c := range []struct {
		name string
		post *model.Post
		want bool
	}{
		{"a person", post("u1", nil), false},
		{"an incoming webhook", post("u1", model.StringInterface{model.PostPropsFromWebhook: "true"}), true},
		{"a webhook showing the lead's name", post("u1", model.StringInterface{model.PostPropsFromWebhook: "true", model.PostPropsOverrideUsername: "lead1"}), true},
		{"override_username alone", post("u1", model.StringInterface{model.PostPropsOverrideUsername: "lead1"}), true},
		{"a bot", post("u2", model.StringInterface{model.PostPropsFromBot: "true"}), true},
		{"setbot itself", post(me, nil), true},
		{"a system message", &model.Post{UserId: "u1", Type: model.PostTypeJoinChannel}, true},
	} {
		if got := notAPerson(c.post, me); got != c.want {
			t.Errorf("%s: notAPerson = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestUpdatedUser(t *testing.T) {
	if got := updatedUser(map[string]any{"user": map[string]any{"id": "u1", "username": "carol"}}); got != "u1" {
		t.Errorf("updatedUser = %q, want u1", got)
	}
	if got := updatedUser(map[string]any{}); got != "" {
		t.Errorf("updatedUser of an empty event = %q", got)
	}
}

// TestAPIErrorCarriesRetryAfter: a 429 with Retry-After is unavailable
// (retried) and asks for that wait.
func TestAPIErrorCarriesRetryAfter(t *testing.T) {
	resp := &model.Response{StatusCode: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"7"}}}
	err := apiError(resp, errors.New("429"), "post a reply")
	if setbot.ErrorCode(err) != setbot.EUnavailable || setbot.RetryAfter(err) != 7*time.Second {
		t.Errorf("code %q, retry after %s; want unavailable and 7s", setbot.ErrorCode(err), setbot.RetryAfter(err))
	}
	if setbot.RetryAfter(apiError(&model.Response{StatusCode: 500}, errors.New("500"), "x")) != 0 {
		t.Error("a 500 without Retry-After asks for a wait")
	}
}
