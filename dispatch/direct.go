package dispatch

import (
	"context"

	"github.com/setbot/setbot"
)

// direct answers a post in a DM with the bot.
func (d *Dispatcher) direct(ctx context.Context, m setbot.Message) (outcome, error) {
	r := parse(m, m.Text)
	if c, ok := d.cmds.byName[r.name]; ok && allowedIn(c.where, setbot.ChannelDM) {
		return c.run(ctx, d, r)
	}
	var o outcome
	o.say(d.replyTo(m, d.helpText(setbot.ChannelDM)))
	return o, nil
}
