package dispatch

import (
	"fmt"

	"github.com/setbot/setbot"
)

// stepReplies are a ladder step's posts, each ending with who is next and
// when:
//   - primary, backup, lead: a mention in the page's thread and a DM to the
//     person (when their account was found), both with the Acknowledge button;
//   - a round: everyone on the shift mentioned in the thread and DMed;
//   - giving up: the rotation admins (else the leads) are told in
//     ~sustained-engineering, and the thread says so.
func (d *paging) stepReplies(p setbot.Page, dec setbot.PageDecision, shift setbot.Shift, people map[setbot.Username]setbot.User) []setbot.Reply {
	if dec.Step == setbot.StepGiveUp {
		return d.giveUpReplies(p, shift)
	}
	ack := []setbot.Button{setbot.AckButton(p)}
	ticket := ""
	if link := ticketLink(p); link != "" {
		ticket = "\nTicket: " + link
	}
	next := d.nextInLine(p, shift)
	who, dm := []setbot.Username{dec.Target}, fmt.Sprintf("You are paged as SET %s by `@%s`: %s%s\nThread: %s\n%s", dec.Step, p.By, quoteInline(p.Text), ticket, d.chat.Permalink(p.Root), next)
	thread := fmt.Sprintf("@%s you are paged as SET %s (%s): %s%s\nAcknowledge with the button or `@%s ack` in this thread. %s",
		dec.Target, dec.Step, dec.Reason, quoteInline(p.Text), ticket, d.cfg.Bot.Username, next)
	if n := dec.Step.Round(); n > 0 {
		who = dec.All
		thread = fmt.Sprintf("%s nobody has acknowledged this page yet, so I page all of you (round %d of %d): %s%s\nAcknowledge with the button or `@%s ack` in this thread. %s",
			mentions(who), n, setbot.PageRounds, quoteInline(p.Text), ticket, d.cfg.Bot.Username, next)
		dm = fmt.Sprintf("Nobody has acknowledged the page from `@%s` yet, so I page the whole SET team (round %d of %d): %s%s\nThread: %s\n%s",
			p.By, n, setbot.PageRounds, quoteInline(p.Text), ticket, d.chat.Permalink(p.Root), next)
	}
	replies := []setbot.Reply{{ChannelID: p.Channel, RootID: p.Root, Text: thread, Buttons: ack}}
	for _, name := range who {
		if u, ok := people[name]; ok && u.ID != "" && u.Username == name {
			replies = append(replies, setbot.Reply{To: u.ID, Buttons: ack, Text: dm})
		}
	}
	return replies
}

// nextInLine says, in plain words, what happens if nobody acknowledges p
// (just advanced to its current step) in time.
func (d *paging) nextInLine(p setbot.Page, shift setbot.Shift) string {
	at := p.SteppedAt.Add(d.ackWithin())
	next := setbot.NextPageStep(p, shift, d.cfg.AckWithin, at)
	by := at.In(d.cfg.Rotation.Location).Format("15:04 MST")
	switch {
	case next.Target != "":
		return fmt.Sprintf("If nobody acknowledges by %s, I page `@%s` (%s) next.", by, next.Target, next.Step)
	case next.Step.Round() > 0:
		return fmt.Sprintf("If nobody acknowledges by %s, I page everyone on SET together (round %d of %d).", by, next.Step.Round(), setbot.PageRounds)
	case next.Step == setbot.StepGiveUp:
		return fmt.Sprintf("If nobody acknowledges by %s, I tell the rotation admins.", by)
	}
	return ""
}

// giveUpReplies tell the rotation admins (else the leads) in
// ~sustained-engineering that nobody acknowledged p, and say so in its
// thread.
func (d *paging) giveUpReplies(p setbot.Page, shift setbot.Shift) []setbot.Reply {
	who := d.cfg.Rotation.Admins
	if len(who) == 0 && shift.Lead != "" {
		who = []setbot.Username{shift.Lead}
	}
	to := "Rotation admins"
	if len(who) > 0 {
		to = setbot.Mentions(who)
	}
	return []setbot.Reply{
		{ChannelID: d.cfg.SETChannel, Text: fmt.Sprintf("%s: nobody acknowledged the page from `@%s`, although I paged the SET primary, backup and lead and then all of them %d times: %s\nThread: %s",
			to, p.By, setbot.PageRounds, quoteInline(p.Text), d.chat.Permalink(p.Root))},
		{ChannelID: p.Channel, RootID: p.Root, Text: "Nobody acknowledged, so I stopped paging and told the rotation admins in ~sustained-engineering."},
	}
}
