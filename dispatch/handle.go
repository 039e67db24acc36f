package dispatch

import (
	"context"
	"strings"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// outcome is what handling one post decided: state changes to commit and
// replies to post after the commit.
type outcome struct {
	apply   func(*store.Tx) error // may be nil
	replies []setbot.Reply
	// cleanup, when set, runs once the post is handled, committed or not:
	// it removes the temporary files of checked uploads, which apply has
	// kept in the store by then.
	cleanup func()
}

// done runs o's cleanup.
func (o outcome) done() {
	if o.cleanup != nil {
		o.cleanup()
	}
}

// say adds a reply.
func (o *outcome) say(r setbot.Reply) { o.replies = append(o.replies, r) }

// handle runs one post through routing. Network work (file downloads, Jira)
// happens before the transaction; the transaction records the post as
// handled, applies the decision and queues the replies atomically; the
// replies are posted after it commits.
func (d *Dispatcher) handle(ctx context.Context, m setbot.Message) {
	if !d.c.routable(m) {
		return
	}
	defer d.recoverPost(m)
	log := d.c.log.With().Str("post_id", string(m.ID)).Str("user_id", string(m.UserID)).Logger()
	if seen, err := d.c.db.Seen(m.ID); err != nil || seen {
		if err != nil {
			log.Error().Err(err).Msg("read handled mark")
		} else {
			d.c.ext.Meter.Duplicate()
		}
		return
	}
	if m.Username == "" { // posts caught up over REST carry no sender name
		if u, err := d.c.chat.User(ctx, m.UserID); err == nil {
			m.Username = u.Username
		}
	}
	var o outcome
	var err error
	if m.Kind == setbot.ChannelDM {
		o, err = d.c.direct(ctx, m)
	} else {
		o, err = d.c.command(ctx, m)
	}
	defer o.done()
	if ctx.Err() != nil {
		// Cut short by a stop (the in-flight bound, a lost lease): a
		// lookup that failed, or an answer made from its failure, may be
		// the stop's, not the post's. Unhandled, the post is answered
		// after a restart, or by the new leader, on catch-up.
		log.Info().Msg("stopping: the post is left for catch-up")
		return
	}
	if err != nil {
		if setbot.ErrorCode(err) == setbot.EInternal || setbot.ErrorCode(err) == setbot.EUnavailable {
			log.Error().Err(err).Msg("handle post")
		}
		o = outcome{replies: []setbot.Reply{d.c.replyTo(m, setbot.ErrorMessage(err))}}
	}
	dup, err := d.c.db.Handle(m.ID, d.c.now(), func(tx *store.Tx) error {
		if o.apply != nil {
			if err := o.apply(tx); err != nil {
				return err
			}
		}
		if err := tx.SetCursor(m.ChannelID, m.At); err != nil {
			return err
		}
		return enqueueReplies(tx, o.replies)
	})
	if err != nil {
		log.Error().Err(err).Msg("commit post handling; it will be retried on catch-up")
		return
	}
	if dup {
		d.c.ext.Meter.Duplicate()
		return
	}
	d.c.ext.Meter.Handled(postKind(m.Kind))
	d.c.kick()
}

// routable says whether setbot reacts to a post at all: never to bots
// (itself included), only to DMs and to mentions in its two channels.
func (d *core) routable(m setbot.Message) bool {
	if m.FromBot || m.UserID == d.cfg.Bot.ID || m.UserID == "" {
		return false
	}
	switch m.Kind {
	case setbot.ChannelDM:
		return true
	case setbot.ChannelSET, setbot.ChannelAsk, setbot.ChannelOther:
		// In other channels (an incident's own channel, say) only the
		// commands marked for everywhere run; the others get a pointer.
		return m.Mentioned
	}
	return false
}

// replyTo answers m where it was said: in the DM, or in its channel thread.
func (d *core) replyTo(m setbot.Message, text string, buttons ...setbot.Button) setbot.Reply {
	if m.Kind == setbot.ChannelDM {
		return setbot.Reply{ChannelID: m.ChannelID, Text: text, Buttons: buttons}
	}
	return setbot.Reply{ChannelID: m.ChannelID, RootID: m.ThreadID(), Text: text, Buttons: buttons}
}

// stripMention removes the bot's @name from a channel post's text.
func (d *core) stripMention(text string) string {
	name := "@" + string(d.cfg.Bot.Username)
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		fields := strings.Fields(line)
		out := fields[:0]
		for _, f := range fields {
			if strings.EqualFold(strings.TrimRight(f, ".,:;!?"), name) {
				continue
			}
			out = append(out, f)
		}
		lines[i] = strings.Join(out, " ")
	}
	// Line breaks stay: a multi-line update or note keeps its shape.
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
