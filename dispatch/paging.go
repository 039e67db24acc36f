package dispatch

import (
	"context"
	"fmt"
	"strings"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// actionAck is the prefix of an Acknowledge button's action.
const actionAck = "page:ack:"

func pagingCommands() []command {
	return []command{
		{name: "page", usage: "page <what is wrong>", summary: "page the SET primary (then the backup, then the lead, until someone acknowledges)", where: inSET, run: runPage},
		{name: "ack", aliases: []string{"acknowledge"}, usage: "ack", summary: "acknowledge a page (in its thread, or the newest one that paged you)", where: anywhere, run: runAck},
	}
}

func runPage(_ context.Context, d *Dispatcher, r request) (outcome, error) {
	if r.rest == "" {
		return outcome{}, setbot.Errorf(setbot.EInvalid, "Say what is wrong, e.g. `@%s page customer X's server is down, L1`.", d.cfg.Bot.Username)
	}
	p := setbot.Page{ID: string(r.msg.ID), Text: r.rest, Channel: r.msg.ChannelID, Root: r.msg.ThreadID(),
		By: r.msg.Username, Created: d.now()}
	o := outcome{apply: func(tx *store.Tx) error { return tx.AddPage(p) }}
	o.say(d.replyTo(r.msg, "Paging the SET primary now. If nobody acknowledges within "+d.cfg.AckWithin.String()+", I page the backup, then the lead."))
	return o, nil
}

func runAck(_ context.Context, d *Dispatcher, r request) (outcome, error) {
	open, err := d.db.OpenPages()
	if err != nil {
		return outcome{}, err
	}
	p, ok := setbot.PageToAck(open, r.msg.Username, r.msg.RootID)
	if !ok {
		var o outcome
		o.say(d.replyTo(r.msg, "There is no open page to acknowledge."))
		return o, nil
	}
	return outcome{replies: d.ack(p.ID, r.msg.Username)}, nil
}

// ack records an acknowledgement and returns what to post about it.
func (d *Dispatcher) ack(id string, by setbot.Username) []setbot.Reply {
	now := d.now()
	p, changed, err := d.db.AckPage(id, by, now)
	if err != nil {
		d.log.Error().Err(err).Str("page", id).Msg("ack page")
		return nil
	}
	if !changed {
		return []setbot.Reply{{ChannelID: p.Channel, RootID: p.Root,
			Text: fmt.Sprintf("This page was already acknowledged by `@%s` at %s.", p.AckedBy, p.AckedAt.Format("15:04 MST"))}}
	}
	d.log.Info().Str("page", id).Str("by", string(by)).Msg("page acknowledged; ladder stopped")
	return []setbot.Reply{{ChannelID: p.Channel, RootID: p.Root,
		Text: fmt.Sprintf("Acknowledged by @%s at %s. No one else will be paged.", by, now.In(d.cfg.Rotation.Location).Format("15:04 MST"))}}
}

// clickAck handles the Acknowledge button.
func (d *Dispatcher) clickAck(c setbot.Click) string {
	id := strings.TrimPrefix(c.Action, actionAck)
	replies := d.ack(id, c.Username)
	if err := d.db.Update(d.now(), func(tx *store.Tx) error { return enqueueReplies(tx, replies) }); err != nil {
		d.log.Error().Err(err).Msg("queue ack replies")
	}
	d.kick()
	return "Thanks, the page is acknowledged."
}

// escalatePages takes the next ladder step of every open page that is due.
// The step is claimed in the store with its posts, so a restart neither
// repeats nor skips it.
func (d *Dispatcher) escalatePages(ctx context.Context) {
	open, err := d.db.OpenPages()
	if err != nil || len(open) == 0 {
		if err != nil {
			d.log.Error().Err(err).Msg("read open pages")
		}
		return
	}
	shift, err := d.shift()
	if err != nil {
		d.log.Error().Err(err).Msg("page ladder: roster")
		return
	}
	for _, p := range open {
		dec := setbot.NextPageStep(p, shift, d.cfg.AckWithin, d.now())
		if dec.Step == setbot.StepNone {
			continue
		}
		target, err := d.chat.UserByName(ctx, dec.Target)
		if err != nil {
			d.log.Warn().Err(err).Str("user", string(dec.Target)).Msg("page ladder: cannot find the person to page; paging in the thread only")
		}
		d.claimStep(p.ID, shift, target)
	}
}

func (d *Dispatcher) claimStep(id string, shift setbot.Shift, target setbot.User) {
	err := d.db.Update(d.now(), func(tx *store.Tx) error {
		p, dec, claimed, err := tx.ClaimPageStep(id, shift, d.cfg.AckWithin)
		if err != nil || !claimed {
			return err
		}
		d.log.Info().Str("page", id).Str("step", dec.Step.String()).Str("target", string(dec.Target)).
			Str("reason", dec.Reason.String()).Msg("paging")
		ack := setbot.Button{Label: "Acknowledge", Action: actionAck + id, Style: "primary"}
		text := fmt.Sprintf("@%s you are paged as SET %s (%s): %s\nAcknowledge with the button or `@%s ack` in this thread.",
			dec.Target, dec.Step, dec.Reason, quoteInline(p.Text), d.cfg.Bot.Username)
		replies := []setbot.Reply{{ChannelID: p.Channel, RootID: p.Root, Text: text, Buttons: []setbot.Button{ack}}}
		if target.ID != "" && target.Username == dec.Target {
			replies = append(replies, setbot.Reply{To: target.ID, Buttons: []setbot.Button{ack},
				Text: fmt.Sprintf("You are paged as SET %s by @%s: %s\nThread: %s", dec.Step, p.By, quoteInline(p.Text), d.chat.Permalink(p.Root))})
		}
		return enqueueReplies(tx, replies)
	})
	if err != nil {
		d.log.Error().Err(err).Str("page", id).Msg("claim page step")
		return
	}
	d.kick()
}

// quoteInline shows text a person wrote without letting it mention anyone
// or break the post: @ gets a zero-width joiner, newlines become spaces.
func quoteInline(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return "“" + strings.ReplaceAll(s, "@", "@\u200d") + "”"
}
