package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/conversations"
	"github.com/setbot/setbot/store"
)

// direct answers a post in a DM with the bot: the intake conversation takes
// it when it is for an intake (one under way, or text that reads like a
// problem); otherwise it is a command, or help.
func (d *core) direct(ctx context.Context, m setbot.Message) (outcome, error) {
	fallback, err := d.dmCommand(ctx, m)
	if err != nil {
		fallback = outcome{replies: []setbot.Reply{d.replyTo(m, setbot.ErrorMessage(err))}}
	}
	if len(m.FileIDs) == 0 && d.isDMCommand(parse(m, m.Text)) {
		return fallback, nil // a command, even in the middle of an intake
	}
	in := conversations.Input{Kind: conversations.Text, Text: m.Text, User: m.UserID, Username: m.Username}
	if len(m.FileIDs) > 0 {
		in.Kind, in.Files = conversations.Files, d.intake.checkFiles(ctx, m)
	}
	return outcome{cleanup: func() { removeChecked(in.Files) }, apply: func(tx *store.Tx) error {
		used, err := d.intake.step(tx, m.UserID, in)
		if err != nil || used {
			return err
		}
		if fallback.apply != nil {
			if err := fallback.apply(tx); err != nil {
				return err
			}
		}
		return enqueueReplies(tx, fallback.replies)
	}}, nil
}

// isDMCommand reports whether a DM is unmistakably a command rather than an
// answer to the intake: its first word is a command that works in DMs
// (other than help, which the intake answers itself) and, for a command
// about a ticket, the next word is an issue key ("update SET-1 …"); a
// command without arguments must stand alone ("who"). "Update fails with
// 500" stays an answer.
func (d *core) isDMCommand(r request) bool {
	c, ok := d.cmds.byName[r.name]
	if !ok || c.name == "help" || !allowedIn(c.where, setbot.ChannelDM) {
		return false
	}
	if strings.Contains(c.usage, "KEY") {
		_, err := setbot.ParseIssueKey(firstOr(r.args, ""))
		return err == nil
	}
	return len(r.args) == 0
}

func firstOr(words []string, or string) string {
	if len(words) == 0 {
		return or
	}
	return words[0]
}

// dmCommand is what a DM means when it is not for the intake.
func (d *core) dmCommand(ctx context.Context, m setbot.Message) (outcome, error) {
	r := parse(m, m.Text)
	if c, ok := d.cmds.byName[r.name]; ok && allowedIn(c.where, setbot.ChannelDM) {
		return c.run(ctx, d, r)
	}
	var o outcome
	o.say(d.replyTo(m, d.helpText(setbot.ChannelDM)))
	return o, nil
}

func nameOr(n string) string {
	if n == "" {
		return "that file"
	}
	return n
}

// step runs the user's intake conversation one step inside tx: load, Step,
// save, store blobs (putBlobs), queue effects. used is false when the input was not for
// the intake (nothing changed).
func (d *intake) step(tx *store.Tx, user setbot.UserID, in conversations.Input) (used bool, err error) {
	s, err := d.loadConversation(tx, user)
	if err != nil {
		return false, err
	}
	next, effects, err := d.flow.Step(s, in, tx.Now())
	if errors.Is(err, conversations.ErrNotIntake) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, c := range in.Files {
		if err := putBlobs(tx, c); err != nil {
			return false, err
		}
	}
	raw, err := json.Marshal(next)
	if err != nil {
		return false, fmt.Errorf("encode conversation: %w", err)
	}
	if !next.Active() {
		raw = nil
		// Filed, added, cancelled or expired: its uploads can go (those a
		// queued job still holds stay until it is done).
		tx.OnCommit(d.collectBlobs)
	}
	if err := tx.PutConversation(user, raw); err != nil {
		return false, err
	}
	return true, d.queueEffects(tx, user, effects)
}

// lostConversation tells someone whose stored conversation could not be
// read that it starts again.
const lostConversation = "I could not read back our earlier conversation (my mistake, not yours), so it starts again from here. Nothing was filed from it."

// loadConversation reads user's intake conversation. A stored state that
// does not decode, or that a newer setbot wrote, would block every DM of
// that person forever: it is archived (a blob, for whoever debugs it) and
// removed, and the person is told that it starts again.
func (d *intake) loadConversation(tx *store.Tx, user setbot.UserID) (s conversations.State, err error) {
	raw := tx.Conversation(user)
	if raw == nil {
		return s, nil
	}
	derr := json.Unmarshal(raw, &s)
	if derr == nil && s.Version <= conversations.StateVersion {
		return s, nil
	}
	key := fmt.Sprintf("archived-conversation:%s:%d", user, tx.Now().UnixMilli())
	d.log.Error().Err(derr).Str("user_id", string(user)).Int("version", s.Version).Str("archive", key).
		Msg("stored conversation cannot be read; archived, and the person starts again")
	if err := tx.PutBlob(key, raw); err != nil {
		return conversations.State{}, err
	}
	if err := tx.PutConversation(user, nil); err != nil {
		return conversations.State{}, err
	}
	return conversations.State{}, enqueueReplies(tx, []setbot.Reply{{To: user, Text: lostConversation}})
}

func (d *intake) queueEffects(tx *store.Tx, user setbot.UserID, effects []conversations.Effect) error {
	var replies []setbot.Reply
	for _, e := range effects {
		switch {
		case e.Say != nil:
			replies = append(replies, setbot.Reply{To: user, Text: e.Say.Text, Buttons: e.Say.Buttons})
		case e.Thread != nil:
			replies = append(replies, setbot.Reply{ChannelID: e.Thread.Channel, RootID: e.Thread.Root, Text: e.Thread.Text})
		case e.File != nil:
			if err := enqueueFiling(tx, *e.File, false); err != nil {
				return err
			}
			if err := d.paging.autoPageIntake(tx, *e.File); err != nil {
				return err
			}
		case e.Route != nil:
			if err := enqueueFiling(tx, *e.Route, true); err != nil {
				return err
			}
		case e.Similar != nil:
			if err := enqueueSimilar(tx, *e.Similar); err != nil {
				return err
			}
		case e.Add != nil:
			if err := enqueueAddTo(tx, *e.Add); err != nil {
				return err
			}
		case e.Page != nil:
			if err := d.paging.autoPageIntake(tx, *e.Page); err != nil {
				return err
			}
		}
	}
	return enqueueReplies(tx, replies)
}

// conversationFiled tells the reporter's conversation its ticket was filed.
// When the conversation is gone (expired, or a new one began), the person is
// told directly.
func (d *intake) conversationFiled(tx *store.Tx, in setbot.Intake, issue setbot.Issue) error {
	return d.stepOrSay(tx, in.Reporter, conversations.Input{Kind: conversations.Filed, Issue: issue},
		fmt.Sprintf("Your ticket is filed: [%s](%s).", issue.Key, issue.URL))
}

// runTicket is "@setbot ticket" in a channel: the intake continues in a DM,
// prefilled from the thread's root post.
func runTicket(ctx context.Context, d *core, r request) (outcome, error) {
	root := r.msg.ThreadID()
	prefill := r.rest
	if r.msg.RootID != "" {
		if p, err := d.chat.Message(ctx, r.msg.RootID); err == nil {
			prefill = p.Text
		}
	}
	in := conversations.Input{Kind: conversations.Start, User: r.msg.UserID, Username: r.msg.Username,
		Prefill: prefill, Permalink: d.chat.Permalink(root), Origin: r.msg.ChannelID, OriginRoot: root}
	// The conversation answers in the thread itself (one post: that it
	// continues in a DM, or that another intake is still open there).
	return outcome{apply: func(tx *store.Tx) error {
		_, err := d.intake.step(tx, r.msg.UserID, in)
		return err
	}}, nil
}

// tickConversations delivers due Ticks (reminders, expiry) to conversations.
func (d *intake) tickConversations() {
	now := d.now()
	var due []setbot.UserID
	err := d.db.Conversations(func(user setbot.UserID, raw []byte) error {
		var s conversations.State
		if json.Unmarshal(raw, &s) == nil && !s.NextTick().IsZero() && !now.Before(s.NextTick()) {
			due = append(due, user)
		}
		return nil
	})
	if err != nil {
		d.log.Error().Err(err).Msg("read conversations")
		return
	}
	for _, user := range due {
		err := d.db.Update(now, func(tx *store.Tx) error {
			_, err := d.step(tx, user, conversations.Input{Kind: conversations.Tick, User: user})
			return err
		})
		if err != nil {
			d.log.Error().Err(err).Str("user_id", string(user)).Msg("conversation tick")
		}
	}
	if len(due) > 0 {
		d.kick()
	}
}

// actionIntake prefixes the intake conversation's button actions.
const actionIntake = "intake:"

// clickIntake hands a button press to the clicker's conversation.
func (d *intake) clickIntake(c setbot.Click) string {
	in := conversations.Input{Kind: conversations.Click, Action: c.Action, User: c.UserID, Username: c.Username}
	var used bool
	err := d.db.Update(d.now(), func(tx *store.Tx) error {
		var err error
		used, err = d.step(tx, c.UserID, in)
		return err
	})
	if err != nil {
		d.log.Error().Err(err).Str("user_id", string(c.UserID)).Msg("intake click")
		return setbot.InternalMessage
	}
	d.kick()
	if !used {
		return "That intake is no longer open."
	}
	return ""
}
