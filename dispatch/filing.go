package dispatch

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/conversations"
	"github.com/setbot/setbot/store"
)

// jobFile files an intake's ticket in Jira. Payload: filing.
const jobFile = "file"

// filing is the payload of a jobFile job.
type filing struct {
	Intake setbot.Intake `json:"intake"`
	// Routed files it with the team it is routed to ([routing]), not SET.
	Routed bool `json:"routed,omitempty"`
}

// maxAttachmentBytes bounds one file fetched from Mattermost for Jira.
const maxAttachmentBytes = 256 << 20

// enqueueFiling queues the intake for filing, in the caller's transaction.
func enqueueFiling(tx *store.Tx, in setbot.Intake, routed bool) error {
	_, err := tx.Enqueue(jobFile, in.Fingerprint(), filing{Intake: in, Routed: routed}, tx.Now())
	return err
}

func runFile(ctx context.Context, d *core, j store.Job, f filing) error {
	tracker := d.ext.Tracker
	if f.Routed {
		tracker = d.ext.Route
	}
	if tracker == nil {
		return setbot.Errorf(setbot.EUnavailable, "Jira is not configured yet; the ticket waits in setbot's queue.")
	}
	req, done, err := d.intake.ticketRequest(ctx, f.Intake, !f.Routed)
	defer done()
	if err != nil && setbot.ErrorCode(err) != setbot.EUnavailable {
		// Not Jira's doing and not passing (a stored copy gone): the
		// intake must not wait in "filing" forever.
		d.log.Error().Err(err).Str("intake", f.Intake.ID).Msg("filing cannot gather the intake's files")
		return d.db.FinishJob(j.ID, d.now(), func(tx *store.Tx) error {
			return d.intake.stepOrSay(tx, f.Intake.Reporter, conversations.Input{Kind: conversations.FilingFailed, Reason: filesLost},
				"I could not file your ticket: "+filesLost)
		})
	}
	if err != nil {
		return err
	}
	issue, err := tracker.FileOnce(ctx, req)
	switch code := setbot.ErrorCode(err); {
	case err == nil:
	case code == setbot.EUnavailable || ctx.Err() != nil:
		if j.Attempts == 0 {
			d.intake.tellConversation(f.Intake, conversations.Input{Kind: conversations.Queued, Reason: setbot.ErrorMessage(err)})
		}
		return err
	case code == setbot.EUnconfigured || code == setbot.EForbidden:
		// Jira refuses setbot itself (credentials, permissions): the ticket
		// is fine, and waits until an admin fixes setbot's access.
		return d.intake.waitForAccess(j, f, err)
	default: // Jira refused this ticket: retrying the same request cannot help
		d.log.Error().Err(err).Str("intake", f.Intake.ID).Msg("Jira refused the ticket")
		msg := setbot.ErrorMessage(err)
		return d.db.FinishJob(j.ID, d.now(), func(tx *store.Tx) error {
			return d.intake.stepOrSay(tx, f.Intake.Reporter, conversations.Input{Kind: conversations.FilingFailed, Reason: msg},
				"I could not file your ticket: "+conversations.PlainWords(msg))
		})
	}
	d.log.Info().Str("issue", string(issue.Key)).Str("intake", f.Intake.ID).Msg("ticket filed")
	if f.Routed {
		return d.db.FinishJob(j.ID, d.now(), func(tx *store.Tx) error { return d.intake.filedRouted(tx, f.Intake, issue) })
	}
	now := d.now()
	return d.db.FinishJob(j.ID, now, func(tx *store.Tx) error {
		if err := tx.LogFiled(issue.Key, f.Intake.Priority, now); err != nil {
			return err
		}
		return d.intake.filed(tx, f.Intake, issue, j.Created)
	})
}

// waitForAccess keeps a filing that Jira refused because of setbot's own
// access: the rotation admins are told once, the person once that the
// ticket is queued, and the job is retried (sooner when the Jira check
// finds Jira accepting setbot again: JiraBack).
func (d *intake) waitForAccess(j store.Job, f filing, err error) error {
	msg := setbot.ErrorMessage(err)
	d.log.Error().Err(err).Str("intake", f.Intake.ID).Msg("Jira refuses setbot; the ticket waits until an admin fixes its access")
	noted := d.db.Update(d.now(), func(tx *store.Tx) error {
		return d.noteAdminsOnce(tx, "Jira refuses setbot, so tickets wait in its queue until this is fixed", msg)
	})
	if noted != nil {
		d.log.Error().Err(noted).Msg("note the admins")
	}
	if j.Attempts == 0 {
		d.tellConversation(f.Intake, conversations.Input{Kind: conversations.Queued, Reason: msg})
	}
	return setbot.Errorf(setbot.EUnavailable, "%s", msg)
}

// filesLost tells a person that a filing could not read their files back.
const filesLost = "I could not read back a file you uploaded. Upload it again (or say `edit` to change the files), then confirm."

// noticeSetup is the notification kind of a note to the rotation admins
// about setbot's own configuration: setup/<hash of the message>.
const noticeSetup = "setup"

// noteAdminsOnce tells the rotation admins, once per distinct problem, in
// ~sustained-engineering, about a problem with setbot's setup (what
// happened, and the message with its configuration keys, which they can
// fix). Support engineers are told in plain words elsewhere.
func (d *core) noteAdminsOnce(tx *store.Tx, what, msg string) error {
	h := fnv.New64a()
	h.Write([]byte(msg))
	claimed, err := tx.ClaimNotice(noticeSetup, strconv.FormatUint(h.Sum64(), 36), "")
	if err != nil || !claimed {
		return err
	}
	to := "Whoever runs setbot"
	if len(d.cfg.Rotation.Admins) > 0 {
		to = setbot.Mentions(d.cfg.Rotation.Admins)
	}
	return enqueueReplies(tx, []setbot.Reply{{ChannelID: d.cfg.SETChannel,
		Text: fmt.Sprintf("%s: %s: %s", to, what, quoteInline(msg))}})
}

// NoteSetupProblem tells the rotation admins once, in ~sustained-engineering,
// that Jira refuses setbot (found by the start-up check). Safe for
// concurrent use.
func (d *Dispatcher) NoteSetupProblem(msg string) {
	err := d.c.db.Update(d.c.now(), func(tx *store.Tx) error {
		return d.c.noteAdminsOnce(tx, "Jira refuses setbot, so tickets wait in setbot's queue until this is fixed (chat and paging work)", msg)
	})
	if err != nil {
		d.c.log.Error().Err(err).Msg("note a setup problem to the admins")
		return
	}
	d.c.kick()
}

// ticketRequest gathers what filing needs: the primary to assign and the
// files' content (redacted copies from the store, originals from
// Mattermost). done removes the originals' downloads; call it when the
// request has been sent, also after an error.
func (d *intake) ticketRequest(ctx context.Context, in setbot.Intake, assign bool) (req setbot.TicketRequest, done func(), err error) {
	req = setbot.TicketRequest{Intake: in}
	var downloads []setbot.Content
	done = func() {
		for _, c := range downloads {
			removeTemp(c)
		}
	}
	if s, err := d.shift(); assign && err == nil && s.Primary != "" {
		req.Assignee = s.Primary
		if u, err := d.chat.UserByName(ctx, s.Primary); err == nil {
			req.AssigneeEmail = u.Email
		}
	}
	for _, a := range attachmentsOf(in) {
		tf := setbot.TicketFile{Name: a.Name}
		if a.BlobKey != "" {
			c, ok, err := d.db.Blob(a.BlobKey)
			if err != nil || !ok {
				return req, done, fmt.Errorf("read stored copy of %s: missing=%v %w", a.Name, !ok, err)
			}
			tf.Content = c
		} else {
			f, err := d.chat.File(ctx, a.FileID, maxAttachmentBytes)
			downloads = append(downloads, f.Content)
			if err != nil {
				if setbot.ErrorCode(err) == setbot.EUnavailable {
					return req, done, err
				}
				tf.Link = in.Permalink // too large or gone: the ticket links to the conversation
			}
			tf.Content = f.Content
		}
		req.Files = append(req.Files, tf)
	}
	return req, done, nil
}

func attachmentsOf(in setbot.Intake) []setbot.Attachment {
	var out []setbot.Attachment
	if in.Config != nil {
		out = append(out, *in.Config)
	}
	out = append(out, in.Logs...)
	out = append(out, in.Profiles...)
	// The support packet itself is never attached: it may hold settings
	// that were not redacted. What was taken out of it is in the lists above.
	return out
}

// tellConversation gives the reporter's conversation a filer outcome in a
// transaction of its own.
func (d *intake) tellConversation(in setbot.Intake, input conversations.Input) {
	input.User = in.Reporter
	err := d.db.Update(d.now(), func(tx *store.Tx) error {
		return d.stepOrSay(tx, in.Reporter, input, "Jira is not answering right now, so your ticket is queued. I'll file it as soon as Jira is back and send you the link here.")
	})
	if err != nil {
		d.log.Error().Err(err).Msg("tell the conversation about filing")
	}
	d.kick()
}

// stepOrSay steps the user's conversation, or, when it is gone, says text.
func (d *intake) stepOrSay(tx *store.Tx, user setbot.UserID, in conversations.Input, text string) error {
	in.User = user
	used, err := d.step(tx, user, in)
	if err != nil || used {
		return err
	}
	return enqueueReplies(tx, []setbot.Reply{{To: user, Text: text}})
}

// filedRouted records a ticket filed with the team it was routed to: the
// link goes to the reporter, to the thread the intake came from and, when
// configured, to the routing channel; nothing goes to ~sustained-engineering,
// since it is not SET's.
func (d *intake) filedRouted(tx *store.Tx, in setbot.Intake, issue setbot.Issue) error {
	link := fmt.Sprintf("[%s](%s)", issue.Key, issue.URL)
	var replies []setbot.Reply
	if d.cfg.RouteChannel != "" {
		replies = append(replies, setbot.Reply{ChannelID: d.cfg.RouteChannel,
			Text: fmt.Sprintf("New %s %s from @%s (routed from SET support): %s", in.Type, link, in.Username, quoteInline(in.Summary))})
	}
	if in.Origin != "" || in.OriginRoot != "" {
		replies = append(replies, setbot.Reply{ChannelID: in.Origin, RootID: in.OriginRoot, Text: "Filed with the owning team as " + link + "."})
	}
	if err := enqueueReplies(tx, replies); err != nil {
		return err
	}
	return d.conversationFiled(tx, in, issue)
}

// filed records a filed ticket in the transaction that retires its job: the
// link goes to the reporter, to ~sustained-engineering and to the thread the
// intake came from; the conversation learns the outcome.
// confirmed is when the intake was confirmed (its filing job was made):
// the week records time SET's first reply in the announcement's thread
// from then.
func (d *intake) filed(tx *store.Tx, in setbot.Intake, issue setbot.Issue, confirmed time.Time) error {
	tx.OnCommit(d.ext.Meter.Filed)
	link := fmt.Sprintf("[%s](%s)", issue.Key, issue.URL)
	announce := fmt.Sprintf("New SET ticket %s (%s, %s) from @%s: %s", link, in.Priority, in.Type, in.Username, quoteInline(in.Summary))
	var replies []setbot.Reply
	if !in.Priority.Urgent() { // an urgent one's announcement starts its incident thread (trackFiled)
		job := announceJob{Reply: setbot.Reply{ChannelID: d.cfg.SETChannel, Text: announce}, Since: confirmed}
		if _, err := tx.Enqueue(jobAnnounce, "", job, time.Time{}); err != nil {
			return err
		}
	}
	if in.Origin != "" && in.Origin != d.cfg.SETChannel || in.OriginRoot != "" {
		replies = append(replies, setbot.Reply{ChannelID: in.Origin, RootID: in.OriginRoot, Text: "Filed as " + link + "."})
	}
	if err := enqueueReplies(tx, replies); err != nil {
		return err
	}
	shared, err := d.incidents.trackFiled(tx, in, issue, announce, confirmed)
	if err != nil {
		return err
	}
	if err := d.paging.pageFiled(tx, in, issue, !shared); err != nil {
		return err
	}
	return d.conversationFiled(tx, in, issue)
}
