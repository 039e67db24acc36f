package dispatch

import (
	"context"
	"strings"
	"testing"

	"github.com/setbot/setbot"
)

func TestRoutable(t *testing.T) {
	d := &core{cfg: Config{Bot: setbot.User{ID: "bot", Username: "setbot"}}}
	cases := []struct {
		name string
		m    setbot.Message
		want bool
	}{
		{"dm from a person", setbot.Message{UserID: "u1", Kind: setbot.ChannelDM}, true},
		{"mention in SET", setbot.Message{UserID: "u1", Kind: setbot.ChannelSET, Mentioned: true}, true},
		{"mention in Ask", setbot.Message{UserID: "u1", Kind: setbot.ChannelAsk, Mentioned: true}, true},
		{"no mention in SET", setbot.Message{UserID: "u1", Kind: setbot.ChannelSET}, false},
		{"mention elsewhere", setbot.Message{UserID: "u1", Kind: setbot.ChannelOther, Mentioned: true}, true},
		{"no mention elsewhere", setbot.Message{UserID: "u1", Kind: setbot.ChannelOther}, false},
		{"own post", setbot.Message{UserID: "bot", Kind: setbot.ChannelDM}, false},
		{"own post flagged", setbot.Message{UserID: "bot", Kind: setbot.ChannelSET, Mentioned: true, FromBot: true}, false},
		{"another bot's dm", setbot.Message{UserID: "b2", Kind: setbot.ChannelDM, FromBot: true}, false},
		{"another bot's mention", setbot.Message{UserID: "b2", Kind: setbot.ChannelSET, Mentioned: true, FromBot: true}, false},
		{"no author", setbot.Message{Kind: setbot.ChannelDM}, false},
	}
	for _, c := range cases {
		if got := d.routable(c.m); got != c.want {
			t.Errorf("%s: routable = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestParseAndStripMention(t *testing.T) {
	d := &core{cfg: Config{Bot: setbot.User{ID: "bot", Username: "setbot"}}}
	r := parse(setbot.Message{}, d.stripMention("@setbot page the   server is down"))
	if r.name != "page" || r.rest != "the   server is down" && r.rest != "the server is down" {
		t.Fatalf("parse = %+v", r)
	}
	r = parse(setbot.Message{}, d.stripMention("hey @SetBot: WHO"))
	if r.name != "hey" {
		t.Fatalf("a leading word is the command word: %+v", r)
	}
	if got := d.stripMention("@setbot, help"); got != "help" {
		t.Fatalf("stripMention = %q", got)
	}
	r = parse(setbot.Message{}, d.stripMention("@setbot\nupdate SET-1 rolled back:\n- db restored\n- cache @setbot flushed"))
	if r.name != "update" || r.rest != "SET-1 rolled back:\n- db restored\n- cache flushed" || r.args[0] != "SET-1" {
		t.Fatalf("a multi-line command lost its shape: %+v", r)
	}
}

func TestQuoteInlineNeutralisesMentions(t *testing.T) {
	got := quoteInline("ping @channel and @alice\nnow")
	for _, live := range []string{"@channel", "@alice", "\n"} {
		if strings.Contains(got, live) {
			t.Errorf("quoteInline left %q live in %q", live, got)
		}
	}
}

// runLanes runs what is due in every outbox lane once, as runOutbox would.
func runLanes(d *Dispatcher) {
	for _, l := range []lane{laneSlow, laneLookup, laneChat, lanePage} {
		d.c.runDue(context.Background(), l)
	}
}
