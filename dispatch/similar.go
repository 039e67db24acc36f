package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/conversations"
	"github.com/setbot/setbot/store"
)

// The duplicate check before filing: the intake conversation asks for
// similar open tickets (jobSimilar) and may be added to one of them
// (jobAddTo) instead of being filed.

// Job kinds. Persisted in the outbox: never rename one.
const (
	jobSimilar = "similar" // payload: similarSearch
	jobAddTo   = "add-to"  // payload: addition
)

// similarTimeout bounds the search for similar tickets: the person is
// waiting for the review, and the search is a nicety. When it passes, the
// review comes without the offer. setbot's own choice.
const similarTimeout = 5 * time.Second

type similarSearch struct {
	Intake setbot.Intake `json:"intake"`
}

// addition is an intake to add to an existing ticket.
type addition struct {
	Issue  setbot.Issue  `json:"issue"`
	Intake setbot.Intake `json:"intake"`
}

func enqueueSimilar(tx *store.Tx, in setbot.Intake) error {
	_, err := tx.Enqueue(jobSimilar, "", similarSearch{Intake: in}, tx.Now())
	return err
}

func enqueueAddTo(tx *store.Tx, a conversations.AddTo) error {
	_, err := tx.Enqueue(jobAddTo, a.Intake.Fingerprint()+"-add", addition{Issue: a.Issue, Intake: a.Intake}, tx.Now())
	return err
}

// runSimilar searches once; any failure is an empty answer, so the intake
// goes on without the offer. It is never retried.
func runSimilar(ctx context.Context, d *core, j store.Job, s similarSearch) error {
	var issues []setbot.Issue
	if d.ext.Tracker != nil {
		sctx, cancel := context.WithTimeout(ctx, similarTimeout)
		found, err := d.ext.Tracker.Similar(sctx, s.Intake, conversations.MaxSimilar)
		cancel()
		if err != nil {
			d.log.Warn().Err(err).Str("intake", s.Intake.ID).Msg("similar-ticket search failed; the review comes without it")
		}
		issues = found
	}
	in := conversations.Input{Kind: conversations.SimilarFound, Issues: issues, IntakeID: s.Intake.ID, User: s.Intake.Reporter}
	err := d.db.FinishJob(j.ID, d.now(), func(tx *store.Tx) error {
		_, err := d.intake.step(tx, s.Intake.Reporter, in)
		return err
	})
	d.kick()
	return err
}

func runAddTo(ctx context.Context, d *core, j store.Job, a addition) error {
	in, key := a.Intake, a.Issue.Key
	if d.ext.Tracker == nil {
		return setbot.Errorf(setbot.EUnavailable, "Jira is not configured yet; the comment waits in setbot's queue.")
	}
	req, done, err := d.intake.ticketRequest(ctx, in, false)
	defer done()
	if err == nil {
		// Exactly once: a retry after a lost answer or a crash finds the
		// comment made with this job's ref and makes no second one.
		err = setbot.CommentOnce(ctx, d.ext.Tracker, key, commentRef(j), additionComment(in), req.Files)
	}
	log := d.log.With().Str("issue", string(key)).Str("intake", in.ID).Logger()
	switch {
	case err == nil:
		log.Info().Msg("intake added to an existing ticket")
		err := d.db.FinishJob(j.ID, d.now(), func(tx *store.Tx) error { return d.intake.added(tx, in, a.Issue) })
		d.kick()
		return err
	case setbot.ErrorCode(err) == setbot.EUnavailable || ctx.Err() != nil:
		if j.Attempts == 0 {
			d.intake.sayToIntake(in, conversations.Input{Kind: conversations.Queued, Reason: setbot.ErrorMessage(err)},
				fmt.Sprintf("Jira is not answering right now, so your report waits in my queue; I'll add it to %s as soon as Jira is back.", key))
		}
		return err
	default:
		log.Error().Err(err).Msg("Jira refused the comment")
		err := d.db.FinishJob(j.ID, d.now(), func(tx *store.Tx) error {
			return d.intake.stepOrSay(tx, in.Reporter, conversations.Input{Kind: conversations.FilingFailed, Reason: setbot.ErrorMessage(err)},
				fmt.Sprintf("I could not add your report to %s: %s", key, setbot.ErrorMessage(err)))
		})
		d.kick()
		return err
	}
}

// sayToIntake steps the reporter's conversation in a transaction of its own
// (or says text when it is gone).
func (d *intake) sayToIntake(in setbot.Intake, input conversations.Input, text string) {
	err := d.db.Update(d.now(), func(tx *store.Tx) error { return d.stepOrSay(tx, in.Reporter, input, text) })
	if err != nil {
		d.log.Error().Err(err).Msg("tell the conversation")
	}
	d.kick()
}

// added records an intake added to a ticket, in the transaction that
// retires its job: ~sustained-engineering hears of it, and the conversation
// ends (posting the link to the reporter and the thread it came from).
func (d *intake) added(tx *store.Tx, in setbot.Intake, is setbot.Issue) error {
	link := string(is.Key)
	if is.URL != "" {
		link = fmt.Sprintf("[%s](%s)", is.Key, is.URL)
	}
	r := setbot.Reply{ChannelID: d.cfg.SETChannel, Text: fmt.Sprintf("@%s added another report (%s, %s) to %s instead of filing a new ticket: %s",
		in.Username, in.Priority, quoteInline(in.Customer), link, quoteInline(in.Summary))}
	if err := enqueueReplies(tx, []setbot.Reply{r}); err != nil {
		return err
	}
	return d.stepOrSay(tx, in.Reporter, conversations.Input{Kind: conversations.Added, Issue: is, IntakeID: in.ID},
		"Added your report to "+link+".")
}

// additionComment is the comment that carries an intake to an existing
// ticket: every answer, and where it started. Tracker.Comment renders it as
// typed (no markup), so nothing a person wrote can break out of it.
func additionComment(in setbot.Intake) string {
	lines := []string{fmt.Sprintf("Another report of this problem from @%s, added through setbot instead of a new ticket (intake %s).", in.Username, in.ID)}
	add := func(label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			lines = append(lines, label+": "+v)
		}
	}
	add("Summary", in.Summary)
	add("Customer", in.Customer)
	add("Impact", in.Impact)
	add("Affected", in.Affected)
	add("Priority", in.Priority.String())
	add("Type", in.Type.String())
	add("Mattermost version", in.Version)
	add("Database", strings.TrimSpace(in.Database.Type+" "+in.Database.Version))
	add("Started at", in.Permalink)
	add("No configuration because", in.NoConfig)
	add("No logs because", in.NoLogs)
	add("No profile because", in.NoProfile)
	if d := strings.TrimSpace(in.Description); d != "" {
		lines = append(lines, "", "Description:", d)
	}
	return strings.Join(lines, "\n")
}
