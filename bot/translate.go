package bot

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/setbot/setbot"
)

// toMessage turns a Mattermost post into a setbot message. mentions is the
// list of mentioned user ids the websocket event carried (nil when the post
// came over REST: then the text is searched for the bot's @name).
func (c *Client) toMessage(p *model.Post, mentions []string) setbot.Message {
	m := setbot.Message{
		ID:        setbot.PostID(p.Id),
		ChannelID: setbot.ChannelID(p.ChannelId),
		RootID:    setbot.PostID(p.RootId),
		UserID:    setbot.UserID(p.UserId),
		Text:      p.Message,
		At:        time.UnixMilli(p.CreateAt),
		FromBot:   notAPerson(p, c.me.Id),
	}
	for _, id := range p.FileIds {
		m.FileIDs = append(m.FileIDs, setbot.FileID(id))
	}
	switch p.ChannelId {
	case c.set.Id:
		m.Kind = setbot.ChannelSET
	case c.ask.Id:
		m.Kind = setbot.ChannelAsk
	}
	if mentions != nil {
		m.Mentioned = slices.Contains(mentions, c.me.Id)
	} else {
		m.Mentioned = mentionsName(p.Message, c.me.Username)
	}
	return m
}

// notAPerson reports whether a post must never be taken as a person's
// word: setbot's own, a bot's, a system message, one from an incoming
// webhook, or one that shows another name (override_username) — whatever
// name it shows, its author is not who it claims to be.
func notAPerson(p *model.Post, me string) bool {
	return p.UserId == me || isTrue(p.GetProp(model.PostPropsFromBot)) || p.IsSystemMessage() ||
		isTrue(p.GetProp(model.PostPropsFromWebhook)) || p.GetProp(model.PostPropsOverrideUsername) != nil
}

func isTrue(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		return t == "true"
	}
	return false
}

// fromPostedEvent decodes a websocket "posted" event.
func (c *Client) fromPostedEvent(data map[string]any) (setbot.Message, bool) {
	raw, _ := data["post"].(string)
	var p model.Post
	if err := json.Unmarshal([]byte(raw), &p); err != nil || p.Id == "" {
		return setbot.Message{}, false
	}
	var mentions []string
	if s, ok := data["mentions"].(string); ok {
		_ = json.Unmarshal([]byte(s), &mentions)
	}
	if mentions == nil {
		mentions = []string{}
	}
	m := c.toMessage(&p, mentions)
	if t, _ := data["channel_type"].(string); t == string(model.ChannelTypeDirect) {
		m.Kind = setbot.ChannelDM
	}
	if name, _ := data["sender_name"].(string); name != "" {
		m.Username = setbot.Username(trimAt(name))
	}
	return m, true
}

// updatedUser is the account a "user_updated" event is about ("" when the
// event carries none).
func updatedUser(data map[string]any) setbot.UserID {
	switch u := data["user"].(type) {
	case map[string]any:
		id, _ := u["id"].(string)
		return setbot.UserID(id)
	case *model.User:
		return setbot.UserID(u.Id)
	}
	return ""
}

// toPost turns a reply into a Mattermost post, with buttons as an attachment
// whose actions call back setbot's HTTP server with a signed context.
func (c *Client) toPost(channel string, r setbot.Reply) *model.Post {
	p := &model.Post{ChannelId: channel, RootId: string(r.RootID), Message: r.Text}
	if len(r.Buttons) == 0 || c.cfg.PublicURL == "" {
		return p
	}
	var actions []*model.PostAction
	for i, b := range r.Buttons {
		actions = append(actions, &model.PostAction{
			Id:    actionID(i),
			Type:  model.PostActionTypeButton,
			Name:  b.Label,
			Style: b.Style,
			Integration: &model.PostActionIntegration{
				URL:     actionURL(c.cfg.PublicURL),
				Context: c.buttonContext(b.Action, channel),
			},
		})
	}
	model.ParseMessageAttachment(p, []*model.MessageAttachment{{Actions: actions}})
	return p
}

func actionID(i int) string { return "setbot" + string(rune('a'+i)) }

func userOf(u *model.User) setbot.User {
	return setbot.User{
		ID:       setbot.UserID(u.Id),
		Username: setbot.Username(u.Username),
		Email:    u.Email,
		IsBot:    u.IsBot,
		Deleted:  u.DeleteAt != 0,
	}
}

func trimAt(s string) string {
	if len(s) > 0 && s[0] == '@' {
		return s[1:]
	}
	return s
}
