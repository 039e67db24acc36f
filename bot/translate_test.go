package bot

import (
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
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
