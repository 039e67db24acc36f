package dispatch

import (
	"context"
	"fmt"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/store"
)

// jobTicketOp changes an existing Jira ticket for a command. Payload: ticketOp.
const jobTicketOp = "ticket-op"

// ticketOpGiveUp is how long a ticket change waits for an unavailable Jira
// before setbot gives up and says so: a change asked for a day ago is
// likely stale, and the person can do it in Jira. setbot's own choice.
const ticketOpGiveUp = 24 * time.Hour

// Ticket operations. Persisted in jobs: never rename one.
const (
	opAssign   = "assign"
	opPriority = "priority"
	opHandover = "handover"
)

// ticketOp is one checked command on a ticket, and where to answer it.
type ticketOp struct {
	Op       string           `json:"op"`
	Key      setbot.IssueKey  `json:"key"`
	User     setbot.Username  `json:"user,omitempty"` // assign: "" unassigns
	Email    string           `json:"email,omitempty"`
	Priority setbot.Priority  `json:"priority,omitempty"`
	Team     string           `json:"team,omitempty"`
	Comment  string           `json:"comment,omitempty"`
	By       setbot.Username  `json:"by"`
	Channel  setbot.ChannelID `json:"channel"`
	Root     setbot.PostID    `json:"root"`
}

// call makes the Jira change; ref names its comment (handover), made once.
func (op ticketOp) call(ctx context.Context, t setbot.Tracker, ref string) error {
	switch op.Op {
	case opAssign:
		return t.Assign(ctx, op.Key, op.User, op.Email)
	case opPriority:
		return t.SetPriority(ctx, op.Key, op.Priority)
	case opHandover:
		return setbot.HandoverOnce(ctx, t, op.Key, ref, op.Team, op.Comment)
	}
	return fmt.Errorf("unknown ticket operation %q", op.Op)
}

// verb is what the operation does, for "I couldn't <verb>".
func (op ticketOp) verb() string {
	switch op.Op {
	case opAssign:
		if op.User == "" {
			return "unassign " + string(op.Key)
		}
		return fmt.Sprintf("assign %s to `@%s`", op.Key, op.User)
	case opPriority:
		return fmt.Sprintf("change the priority of %s to %s", op.Key, op.Priority)
	case opHandover:
		return fmt.Sprintf("hand %s over to %s", op.Key, op.Team)
	}
	return "change " + string(op.Key)
}

// done is the answer when the change went through; link names the ticket.
func (op ticketOp) done(link string) string {
	switch op.Op {
	case opAssign:
		if op.User == "" {
			return fmt.Sprintf("Done: %s is now unassigned.", link)
		}
		return fmt.Sprintf("Done: %s is now assigned to @%s.", link, op.User)
	case opPriority:
		return fmt.Sprintf("Done: %s is now %s (%s).", link, op.Priority, op.Priority.Describe())
	case opHandover:
		return fmt.Sprintf("Done: %s is handed over to %s, with a comment that SET stays the contact.", link, op.Team)
	}
	return "Done: " + link + "."
}

func (op ticketOp) reply(text string) setbot.Reply {
	return setbot.Reply{ChannelID: op.Channel, RootID: op.Root, Text: text}
}

func runTicketOp(ctx context.Context, d *core, j store.Job, op ticketOp) error {
	log := d.log.With().Str("issue", string(op.Key)).Str("op", op.Op).Str("by", string(op.By)).Logger()
	var err error
	if d.ext.Tracker == nil {
		err = setbot.Errorf(setbot.EUnconfigured, "Jira is no longer configured for setbot.")
	} else {
		err = op.call(ctx, d.ext.Tracker, commentRef(j))
	}
	switch {
	case err == nil:
		link := string(op.Key)
		if is, gerr := d.ext.Tracker.Get(ctx, op.Key); gerr == nil && is.URL != "" {
			link = fmt.Sprintf("[%s](%s)", op.Key, is.URL)
		}
		log.Info().Msg("ticket changed")
		return d.tickets.finishTicketOp(j, op.reply(op.done(link)))
	case setbot.ErrorCode(err) == setbot.EUnavailable || ctx.Err() != nil:
		if d.now().Sub(j.Created) > ticketOpGiveUp {
			log.Warn().Err(err).Msg("Jira unavailable for too long; ticket change given up")
			return d.tickets.finishTicketOp(j, op.reply(fmt.Sprintf("I gave up trying to %s: Jira did not answer for %s. Please make the change in Jira.", op.verb(), fmtDuration(ticketOpGiveUp))))
		}
		if j.Attempts == 0 {
			d.tickets.sayNow(op.reply(fmt.Sprintf("Jira is not answering right now, so I'll keep trying to %s and answer here when it is done.", op.verb())))
		}
		return err
	default:
		if c := setbot.ErrorCode(err); c == setbot.EInternal {
			log.Error().Err(err).Msg("ticket change failed")
		} else {
			log.Info().Str("code", c).Msg("Jira refused the ticket change")
		}
		return d.tickets.finishTicketOp(j, op.reply(fmt.Sprintf("I couldn't %s: %s", op.verb(), setbot.ErrorMessage(err))))
	}
}

// commentRef is the ref a job's Jira comment is made with
// (setbot.CommentOnce): the same on every retry of the job, also after a
// restart, and unique across stores.
func commentRef(j store.Job) string { return "setbot-" + jobKey(j) }

// finishTicketOp retires the job and queues its answer in one transaction.
func (d *tickets) finishTicketOp(j store.Job, r setbot.Reply) error {
	err := d.db.FinishJob(j.ID, d.now(), func(tx *store.Tx) error { return enqueueReplies(tx, []setbot.Reply{r}) })
	d.kick()
	return err
}

// sayNow queues replies in a transaction of their own.
func (d *tickets) sayNow(rs ...setbot.Reply) {
	if err := d.db.Update(d.now(), func(tx *store.Tx) error { return enqueueReplies(tx, rs) }); err != nil {
		d.log.Error().Err(err).Msg("queue reply")
	}
	d.kick()
}

func fmtDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		if n := int(d / (24 * time.Hour)); n != 1 {
			return fmt.Sprintf("%d days", n)
		}
		return "a day"
	}
	return d.String()
}
