package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// actionAck is the prefix of an Acknowledge button's action
// (setbot.AckAction). The action is signed by package bot, so a click can
// only name a page setbot paged.
var actionAck = setbot.AckAction("")

// jobPageHook sends a page step or acknowledgement to [escalation]
// webhook_url. Payload: setbot.PageHook. Persisted: never rename.
const jobPageHook = "page-hook"

// noticePage is the notification kind of page reports other than ladder
// steps (the store logs those itself).
const noticePage = "page"

// PageHookSender delivers page events to an outside pager (package webhook).
// Send returns an EUnavailable *setbot.Error when retrying later can help.
type PageHookSender interface {
	Send(ctx context.Context, h setbot.PageHook) error
}

func (*paging) commands() []command {
	return []command{
		{name: "page", usage: "page <what is wrong>", summary: "page the SET primary (then the backup, then the lead, until someone acknowledges)", where: inSET, run: runPage},
		{name: "ack", aliases: []string{"acknowledge"}, usage: "ack", summary: "acknowledge a page (in its thread, or the newest one that paged you)", where: anywhere, run: runAck},
	}
}

func runPage(_ context.Context, d *core, r request) (outcome, error) {
	if r.rest == "" {
		return outcome{}, setbot.Errorf(setbot.EInvalid, "Say what is wrong, e.g. `@%s page customer X's server is down, L1`.", d.cfg.Bot.Username)
	}
	p := setbot.Page{ID: string(r.msg.ID), Text: r.rest, Channel: r.msg.ChannelID, Root: r.msg.ThreadID(),
		By: r.msg.Username, Created: d.now()}
	o := outcome{apply: func(tx *store.Tx) error {
		tx.OnCommit(d.passSoon) // the primary is paged now, not at the next tick
		return tx.AddPage(p)
	}}
	o.say(d.replyTo(r.msg, "Paging the SET primary now. If nobody acknowledges within "+d.ackWithin().String()+", I page the backup, then the lead."))
	return o, nil
}

// ackWithin is the configured time to acknowledge, or the default.
func (d *core) ackWithin() time.Duration {
	if d.cfg.AckWithin <= 0 {
		return setbot.DefaultAckWithin
	}
	return d.cfg.AckWithin
}

// maxAckChoices bounds the buttons of "which page?": one post's worth.
const maxAckChoices = 5

// runAck is "@setbot ack": it acknowledges, in the post's own transaction,
// the page of the thread, or the one page that paged the person; with
// several, it asks which. It never picks a page that did not page them.
func runAck(ctx context.Context, d *core, r request) (outcome, error) {
	open, err := d.db.OpenPages()
	if err != nil {
		return outcome{}, err
	}
	me := func(u setbot.Username) bool { return d.idOf(ctx, u) == r.msg.UserID }
	ps := setbot.PageToAck(open, r.msg.RootID, me)
	var o outcome
	switch {
	case len(ps) == 0:
		o.say(d.replyTo(r.msg, "No open page paged you. To acknowledge another page, write `@"+string(d.cfg.Bot.Username)+" ack` in its thread."))
		return o, nil
	case len(ps) > 1:
		var buttons []setbot.Button
		for _, p := range ps[:min(len(ps), maxAckChoices)] {
			b := setbot.AckButton(p)
			b.Label = "Ack: " + clipLabel(p.Text)
			buttons = append(buttons, b)
		}
		o.say(d.replyTo(r.msg, fmt.Sprintf("%d open pages paged you. Which one do you acknowledge?", len(ps)), buttons...))
		return o, nil
	}
	p := ps[0]
	if !d.paging.mayAck(ctx, r.msg.UserID, p) {
		return outcome{}, errMayNotAck
	}
	return outcome{apply: func(tx *store.Tx) error {
		_, err := d.paging.ack(tx, p.ID, r.msg.Username)
		return err
	}}, nil
}

// clipLabel shortens text to fit on a button.
func clipLabel(text string) string {
	const most = 40 // runes; Mattermost cuts longer button labels anyway
	r := []rune(strings.Join(strings.Fields(text), " "))
	if len(r) > most {
		return string(r[:most-1]) + "…"
	}
	return string(r)
}

// ack records an acknowledgement in tx and queues what is said about it (and
// the webhook). changed is false when somebody had acknowledged before.
func (d *paging) ack(tx *store.Tx, id string, by setbot.Username) (changed bool, err error) {
	p, changed, err := tx.AckPage(id, by)
	if err != nil {
		return false, err
	}
	loc := d.cfg.Rotation.Location
	if !changed {
		return false, d.enqueuePagePosts(tx, []setbot.Reply{{ChannelID: p.Channel, RootID: p.Root,
			Text: fmt.Sprintf("This page was already acknowledged by `@%s` at %s.", p.AckedBy, p.AckedAt.In(loc).Format("15:04 MST"))}})
	}
	d.log.Info().Str("page", id).Str("by", string(by)).Msg("page acknowledged; ladder stopped")
	tx.OnCommit(d.ext.Meter.Acked)
	if err := d.enqueueHook(tx, setbot.AckHook(p)); err != nil {
		return false, err
	}
	return true, d.enqueuePagePosts(tx, []setbot.Reply{{ChannelID: p.Channel, RootID: p.Root, Text: setbot.AckText(p, loc)}})
}

// clickAck handles the Acknowledge button, for those who may acknowledge.
func (d *paging) clickAck(ctx context.Context, c setbot.Click) string {
	id := strings.TrimPrefix(c.Action, actionAck)
	p, ok, err := d.db.Page(id)
	if err != nil {
		d.log.Error().Err(err).Str("page", id).Msg("acknowledge: read page")
		return setbot.ErrorMessage(err)
	}
	if !ok {
		return "That page is over; nothing to acknowledge."
	}
	if !d.mayAck(ctx, c.UserID, p) {
		return setbot.ErrorMessage(errMayNotAck)
	}
	var changed bool
	err = d.db.Update(d.now(), func(tx *store.Tx) error {
		var err error
		changed, err = d.ack(tx, id, c.Username)
		return err
	})
	if err != nil {
		if setbot.ErrorCode(err) == setbot.EInternal {
			d.log.Error().Err(err).Str("page", id).Msg("acknowledge page")
		}
		return setbot.ErrorMessage(err)
	}
	d.kick()
	if !changed {
		return "Somebody acknowledged this page already."
	}
	return "Thanks, the page is acknowledged. Nobody else will be paged."
}

// escalatePages takes the next ladder step of every open page that is due.
// The step is claimed in the store with its posts, so a restart neither
// repeats nor skips it. A page still waiting for its thread (an automatic
// page whose first post is in the outbox) waits.
func (d *paging) escalatePages(ctx context.Context) {
	version, err := d.db.PagesVersion()
	if err != nil {
		d.log.Error().Err(err).Msg("read the pages' version")
		return
	}
	// Nothing changed and every open page's next step is still ahead: an
	// idle pass costs one read, whatever the number of pages.
	if d.planned && version == d.version && d.now().Before(d.nextDue) {
		return
	}
	d.nextDue, d.planned = time.Time{}, false
	open, err := d.db.OpenPagesInto(d.open)
	d.open = open
	if err != nil {
		d.log.Error().Err(err).Msg("read open pages")
		return
	}
	shift, err := d.shift()
	if err != nil {
		d.log.Error().Err(err).Msg("page ladder: roster")
		return
	}
	planned := len(open) > 0 // with no page, every pass looks (it is cheap)
	for _, p := range open {
		if p.Root == "" {
			continue // its thread is being made; writing its root changes the version
		}
		dec := setbot.NextPageStep(p, shift, d.cfg.AckWithin, d.now())
		if dec.Step == setbot.StepNone {
			if dec.Reason == setbot.ReasonNobodyToPage {
				d.nobodyToPage(p)
			}
			if dec.Due.IsZero() {
				planned = false // nothing scheduled (a ladder at its end, an empty rotation): look every pass
			} else if d.nextDue.IsZero() || dec.Due.Before(d.nextDue) {
				d.nextDue = dec.Due
			}
			continue
		}
		people, ok := d.lookUpPaged(ctx, dec)
		if !ok {
			planned = false // Mattermost did not answer: the next pass tries again, nobody is skipped
			continue
		}
		d.claimStep(p.ID, shift, people)
	}
	d.version, d.planned = version, planned && !d.nextDue.IsZero()
}

// lookUpPaged finds the accounts of the people dec pages, from the people
// directory (the account each name is pinned to). ok is false when nothing
// is known of someone and Mattermost did not answer, so the step waits for
// the next pass instead of being taken without its DMs; someone who has no
// active account is paged in the thread only.
func (d *paging) lookUpPaged(ctx context.Context, dec setbot.PageDecision) (map[setbot.Username]setbot.User, bool) {
	names := dec.All
	if dec.Target != "" {
		names = []setbot.Username{dec.Target}
	}
	people := map[setbot.Username]setbot.User{}
	for _, n := range names {
		// The people directory: usually no call to Mattermost at the
		// moment a step is due, and the account the name was pinned to.
		p, err := d.pinnedFresh(ctx, n)
		switch {
		case err != nil && p.id == "":
			d.log.Warn().Err(err).Str("user", string(n)).Msg("page ladder: cannot look up the person to page; trying again next tick")
			return nil, false
		case p.id == "" || !p.active:
			d.log.Warn().Str("user", string(n)).Msg("page ladder: the person to page has no active account; paging in the thread only")
		default:
			people[n] = setbot.User{ID: p.id, Username: n}
		}
	}
	return people, true
}

// nobodyToPage says once, in the page's thread, that the rotation has nobody
// to page this week.
func (d *paging) nobodyToPage(p setbot.Page) {
	if _, sent, err := d.db.NoticeSent(noticePage, p.ID, "nobody"); err != nil || sent {
		return
	}
	err := d.db.Update(d.now(), func(tx *store.Tx) error {
		claimed, err := tx.ClaimNotice(noticePage, p.ID, "nobody")
		if err != nil || !claimed {
			return err
		}
		d.log.Warn().Str("page", p.ID).Str("reason", setbot.ReasonNobodyToPage.String()).Msg("page ladder")
		return enqueueReplies(tx, []setbot.Reply{{ChannelID: p.Channel, RootID: p.Root,
			Text: fmt.Sprintf("Nobody is on the SET rotation this week, so I could not page anyone. A lead or rotation admin can fill the week with `@%s override this primary @someone`.", d.cfg.Bot.Username)}})
	})
	if err != nil {
		d.log.Error().Err(err).Str("page", p.ID).Msg("report an empty rotation")
	}
	d.kick()
}

func (d *paging) claimStep(id string, shift setbot.Shift, people map[setbot.Username]setbot.User) {
	err := d.db.Update(d.now(), func(tx *store.Tx) error {
		p, dec, claimed, err := tx.ClaimPageStep(id, shift, d.cfg.AckWithin)
		if err != nil || !claimed {
			return err
		}
		d.log.Info().Str("page", id).Str("step", dec.Step.String()).Str("target", string(dec.Target)).
			Str("reason", dec.Reason.String()).Msg("paging")
		tx.OnCommit(func() { d.ext.Meter.Paged(dec.Step.String()) })
		if err := d.enqueueHook(tx, setbot.StepHook(p, dec, tx.Now())); err != nil {
			return err
		}
		return d.enqueuePagePosts(tx, d.stepReplies(p, dec, shift, people))
	})
	if err != nil {
		d.log.Error().Err(err).Str("page", id).Msg("claim page step")
		return
	}
	d.kick()
}

// enqueueHook queues a webhook delivery in tx, when a webhook is configured.
// It runs in the slow lane, so a slow pager never holds up the ladder.
func (d *paging) enqueueHook(tx *store.Tx, h setbot.PageHook) error {
	if d.ext.Webhook == nil {
		return nil
	}
	_, err := tx.Enqueue(jobPageHook, h.Page+"/"+h.Event+"/"+h.Step, h, tx.Now())
	return err
}

// runPageHook delivers one webhook event. Unavailable endpoints are retried
// with backoff by the outbox; a refused event is dropped and logged.
func runPageHook(ctx context.Context, d *core, _ store.Job, h setbot.PageHook) error {
	if d.ext.Webhook == nil {
		return nil // the webhook was removed from the config since
	}
	return d.ext.Webhook.Send(ctx, h)
}

// quoteInline shows text a person wrote without letting it mention anyone
// or break the post: @ gets a zero-width joiner, newlines become spaces.
func quoteInline(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return "“" + setbot.Unmention(s) + "”"
}
