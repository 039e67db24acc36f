package dispatch

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/setbot/setbot"
)

// request is one command as a person typed it.
type request struct {
	msg  setbot.Message
	name string   // the command word, lower case
	args []string // the words after it
	rest string   // the text after the command word, as typed
}

// command is one row of the command table.
type command struct {
	name    string
	aliases []string
	usage   string // e.g. "page <what is wrong>"
	summary string // one line for help
	// where the command may be used; a DM counts as its own place.
	where []setbot.ChannelKind
	run   func(ctx context.Context, d *core, r request) (outcome, error)
}

type commandTable struct {
	rows   []command
	byName map[string]*command
}

var (
	inChannels = []setbot.ChannelKind{setbot.ChannelSET, setbot.ChannelAsk}
	inSET      = []setbot.ChannelKind{setbot.ChannelSET}
	anywhere   = []setbot.ChannelKind{setbot.ChannelSET, setbot.ChannelAsk, setbot.ChannelDM}
	// everywhere adds the other channels setbot is a member of.
	everywhere = []setbot.ChannelKind{setbot.ChannelSET, setbot.ChannelAsk, setbot.ChannelDM, setbot.ChannelOther}
)

// commands builds the table: every command setbot knows is listed here.
func (d *core) commands() commandTable {
	rows := []command{
		{name: "help", aliases: []string{"?", "commands"}, usage: "help", summary: "what I can do for you", where: everywhere, run: runHelp},
	}
	// In the order help lists them; TestHelpListsEveryFeature keeps every
	// feature here.
	for _, f := range d.helpOrder() {
		rows = append(rows, f.commands()...)
	}
	t := commandTable{rows: rows, byName: map[string]*command{}}
	for i := range t.rows {
		c := &t.rows[i]
		t.byName[c.name] = c
		for _, a := range c.aliases {
			t.byName[a] = c
		}
	}
	return t
}

// helpOrder is every feature, in the order help lists their commands.
func (d *core) helpOrder() []feature {
	return []feature{d.intake, d.rotation, d.paging, d.tickets, d.incidents, d.cycle, d.triage, d.watch}
}

// parse splits a post's text (with the bot's mention removed) into a request.
func parse(m setbot.Message, text string) request {
	text = strings.TrimSpace(text)
	r := request{msg: m}
	word, rest := text, ""
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		word, rest = text[:i], text[i:]
	}
	r.name = strings.ToLower(word)
	r.rest = strings.TrimSpace(rest)
	r.args = strings.Fields(r.rest)
	return r
}

// command answers an @mention in a channel.
func (d *core) command(ctx context.Context, m setbot.Message) (outcome, error) {
	r := parse(m, d.stripMention(m.Text))
	if r.name == "" {
		r.name = "help"
	}
	c, ok := d.cmds.byName[r.name]
	if !ok {
		return outcome{replies: []setbot.Reply{d.replyTo(m,
			fmt.Sprintf("I don't know %q. Try `@%s help` to see what I can do.", r.name, d.cfg.Bot.Username))}}, nil
	}
	if !allowedIn(c.where, m.Kind) {
		return outcome{replies: []setbot.Reply{d.replyTo(m,
			fmt.Sprintf("`%s` works in %s.", c.usage, placeNames(c.where)))}}, nil
	}
	return c.run(ctx, d, r)
}

func allowedIn(where []setbot.ChannelKind, k setbot.ChannelKind) bool {
	for _, w := range where {
		if w == k {
			return true
		}
	}
	return false
}

func placeNames(where []setbot.ChannelKind) string {
	var names []string
	for _, w := range where {
		switch w {
		case setbot.ChannelSET:
			names = append(names, "~sustained-engineering")
		case setbot.ChannelAsk:
			names = append(names, "~ask-r-and-d")
		case setbot.ChannelDM:
			names = append(names, "a direct message with me")
		case setbot.ChannelOther:
			names = append(names, "any other channel I am in")
		}
	}
	return strings.Join(names, " or ")
}

func runHelp(_ context.Context, d *core, r request) (outcome, error) {
	var o outcome
	o.say(d.replyTo(r.msg, d.helpText(r.msg.Kind)))
	return o, nil
}

// helpText lists what a person can do where they asked.
func (d *core) helpText(k setbot.ChannelKind) string {
	var b strings.Builder
	prefix := "@" + string(d.cfg.Bot.Username) + " "
	if k == setbot.ChannelDM {
		prefix = ""
		b.WriteString("I'm the Sustained Engineering (SET) bot. Here, in our direct messages, you can:\n")
	} else {
		b.WriteString("I'm the Sustained Engineering (SET) bot. In this channel you can:\n")
	}
	var lines []string
	for _, c := range d.cmds.rows {
		if allowedIn(c.where, k) {
			lines = append(lines, fmt.Sprintf("- `%s%s`: %s", prefix, c.usage, c.summary))
		}
	}
	sort.Strings(lines)
	b.WriteString(strings.Join(lines, "\n"))
	if k == setbot.ChannelDM {
		b.WriteString("\n\nOr just describe the problem you need to escalate, and I'll walk you through a ticket.")
	}
	return b.String()
}
