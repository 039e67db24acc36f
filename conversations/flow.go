package conversations

import (
	"fmt"
	"strings"
	"time"

	"github.com/setbot/setbot"
)

// Options are the intake's configurable bits.
type Options struct {
	// RemindAfter is how long an unfinished intake waits for its owner before
	// one reminder; ExpireAfter is how much longer before it is dropped.
	RemindAfter time.Duration
	ExpireAfter time.Duration
	// RouteTeam and RouteIssueType name where feature requests and
	// low-urgency issues go instead of SET, as people are told it (the
	// dispatcher files them there).
	RouteTeam      string
	RouteIssueType string
	// Routing says that a team to route to is configured ([routing]);
	// without it, what is not SET's is filed nowhere and the person is
	// told NotForSET: whom to ask instead.
	Routing   bool
	NotForSET string
	// CheckSimilar makes an intake for SET ask for similar open tickets
	// (Effect.Similar) before its review, and offer to add to one of them.
	// The dispatcher turns it on when Jira is configured.
	CheckSimilar bool
	// PageL2 makes choosing L2 page SET at once, as L1 always does
	// ([escalation] page_l2).
	PageL2 bool
}

// Default options.
const (
	// DefaultNotForSET is whom to ask about what is not SET's when no
	// routing is configured.
	DefaultNotForSET   = "please raise it with the product manager of the team that owns that part of Mattermost."
	DefaultRemindAfter = 4 * time.Hour
	DefaultExpireAfter = 3 * 24 * time.Hour
)

// Flow is the intake conversation with its options. The zero Flow uses the
// defaults. Safe for concurrent use: it holds no state of its own.
type Flow struct {
	Options Options
}

func (f Flow) opts() Options {
	o := f.Options
	if o.RemindAfter <= 0 {
		o.RemindAfter = DefaultRemindAfter
	}
	if o.ExpireAfter <= 0 {
		o.ExpireAfter = DefaultExpireAfter
	}
	if o.RouteTeam == "" {
		o.RouteTeam = "the owning product team"
	}
	if o.RouteIssueType == "" {
		o.RouteIssueType = "story"
	}
	if o.NotForSET == "" {
		o.NotForSET = DefaultNotForSET
	}
	return o
}

// Step runs the intake conversation one input further. It returns the next
// State and the effects to carry out once that State is committed. It never
// changes s in place. Errors: ErrNotIntake for a DM that is not for the
// intake (s unchanged, the dispatcher answers it), or an error when s has an
// unknown Version. Anything a person did wrong is answered with a Say, not
// an error.
func (f Flow) Step(s State, in Input, now time.Time) (State, []Effect, error) {
	if s.Version != StateVersion && (s.Version != 0 || s.Phase != PhaseIdle) {
		return s, nil, fmt.Errorf("conversations: intake state version %d, want %d", s.Version, StateVersion)
	}
	// Text is stored, and JSON turns invalid UTF-8 into U+FFFD: do it now so
	// that a saved State loads back the same.
	in.Text = strings.ToValidUTF8(in.Text, "\uFFFD")
	in.Prefill = strings.ToValidUTF8(in.Prefill, "\uFFFD")
	t := &turn{o: f.opts(), s: s.clone(), in: in, now: now}
	t.s.Version = StateVersion
	if in.Kind == Click && s.Intake.ID != "" { // with no intake, idle says the conversation is over
		action, ok := untag(in.Action, s.Intake.ID)
		if !ok {
			t.say("That button belongs to an earlier conversation. Use the buttons of my newest message, or type your answer.")
			return s, t.effects(), nil
		}
		t.in.Action = action
	}
	if err := t.run(); err != nil {
		return s, nil, err
	}
	t.pageIfUrgent()
	return t.s, t.effects(), nil
}

// Step runs the zero Flow (default options).
func Step(s State, in Input, now time.Time) (State, []Effect, error) {
	return Flow{}.Step(s, in, now)
}

// turn is one Step in progress.
type turn struct {
	o       Options
	s       State
	in      Input
	now     time.Time
	lines   []string
	buttons []setbot.Button
	before  []Effect // effects before the Say (thread posts)
	after   []Effect // effects after the Say (file, route)
}

func (t *turn) say(format string, args ...any) {
	if len(args) > 0 {
		format = fmt.Sprintf(format, args...)
	}
	if format != "" {
		t.lines = append(t.lines, format)
	}
}

func (t *turn) effects() []Effect {
	out := append([]Effect(nil), t.before...)
	if len(t.lines) > 0 {
		buttons := make([]setbot.Button, len(t.buttons))
		for i, b := range t.buttons {
			b.Action = b.Action + intakeTag + t.s.Intake.ID
			buttons[i] = b
		}
		if len(buttons) == 0 {
			buttons = nil
		}
		out = append(out, Effect{Say: &Say{Text: setbot.FitPost(strings.Join(t.lines, "\n\n")), Buttons: buttons}})
	}
	return append(out, t.after...)
}

func (t *turn) run() error {
	switch t.in.Kind {
	case Tick:
		t.tick()
		return nil
	case Start:
		t.start()
	case Filed, FilingFailed, Queued, Added:
		t.filingOutcome()
		return nil
	case SimilarFound:
		t.similarFound()
		return nil
	case Text, Files, Click:
		if err := t.user(); err != nil {
			return err
		}
	default:
		return nil
	}
	t.touch()
	return nil
}

// touch records activity and schedules the reminder.
func (t *turn) touch() {
	t.s.LastActive = t.now
	t.s.Reminded = false
	switch t.s.Phase {
	case PhaseOffered, PhaseAsking, PhaseReview, PhaseChecking:
		t.s.Due = t.now.Add(t.o.RemindAfter)
	default:
		t.s.Due = time.Time{}
	}
}

func (t *turn) user() error {
	switch t.s.Phase {
	case PhaseIdle:
		return t.idle()
	case PhaseFiling:
		t.filing()
		return nil
	case PhaseChecking:
		t.checking()
		return nil
	}
	if t.in.Kind == Files {
		t.files(t.in.Files)
		t.captions(t.in.Text)
		t.continueAfterFiles()
		return nil
	}
	if t.in.Kind == Click {
		t.click(t.in.Action)
		return nil
	}
	return t.text(strings.TrimSpace(t.in.Text))
}

// idle handles a DM or click with no intake under way.
func (t *turn) idle() error {
	switch t.in.Kind {
	case Click:
		t.say("That conversation is over. Say `new` to start a SET ticket.")
		return nil
	case Files:
		t.fresh()
		t.files(t.in.Files)
		t.captions(t.in.Text)
		t.offer()
		return nil
	}
	text := strings.TrimSpace(t.in.Text)
	if !readsLikeProblem(text) {
		return ErrNotIntake
	}
	t.fresh()
	if !isEntryWord(text) {
		t.draft(text)
	}
	t.offer()
	return nil
}

// fresh begins a new intake for the input's user.
func (t *turn) fresh() {
	t.s = State{Version: StateVersion, Intake: setbot.Intake{
		ID:       fmt.Sprintf("%s-%d", t.in.User, t.now.UnixMilli()),
		Reporter: t.in.User,
		Username: t.in.Username,
		Started:  t.now,
	}}
}

// draft takes a first description of the problem: the summary's first
// draft, the description, and whatever it says about version, database and
// symptom.
func (t *turn) draft(text string) {
	if text == "" {
		return
	}
	addDescription(&t.s, text)
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	t.s.Intake.Summary, _ = setbot.Truncate(strings.TrimSpace(line), MaxSummaryRunes)
	t.s.DraftPending = t.s.Intake.Summary != ""
	t.recognise(text)
}

func (t *turn) offer() {
	t.s.Phase = PhaseOffered
	t.say("Shall I open a SET ticket for this? I'll ask a few short questions, one at a time.")
	t.buttons = []setbot.Button{
		{Label: "Start", Action: "intake:start", Style: "primary"},
		{Label: "Not now", Action: "intake:dismiss"},
	}
}

func (t *turn) accept() {
	t.s.Phase = PhaseAsking
	t.say("Let's go. At any time: `status` shows what I have, `back` goes to the previous question, `skip`, and `cancel`.")
	t.advance()
}

// start begins an intake from `@setbot ticket` in a channel thread.
func (t *turn) start() {
	in := t.in
	if t.s.Phase == PhaseAsking || t.s.Phase == PhaseReview || t.s.Phase == PhaseFiling {
		t.before = append(t.before, Effect{Thread: &ThreadPost{Channel: in.Origin, Root: in.OriginRoot,
			Text: "You already have a SET ticket in progress in our direct messages; finish or `cancel` it there first."}})
		t.say("You asked for a ticket in a thread, but this one is still open. Finish or `cancel` it first.")
		t.ask()
		return
	}
	t.fresh()
	t.s.Intake.Permalink, t.s.Intake.Origin, t.s.Intake.OriginRoot = in.Permalink, in.Origin, in.OriginRoot
	t.before = append(t.before, Effect{Thread: &ThreadPost{Channel: in.Origin, Root: in.OriginRoot,
		Text: "I'll collect the details for a SET ticket in a direct message, and post the ticket here when it is filed."}})
	t.s.Phase = PhaseAsking
	intro := "Let's open a SET ticket"
	if in.Permalink != "" {
		intro += " for " + in.Permalink
	}
	t.say(intro + ". I'll ask a few short questions, one at a time; `status`, `back`, `skip` and `cancel` work at any time.")
	t.draft(in.Prefill)
	t.advance()
}

func (t *turn) filing() {
	if t.s.AddTo != "" {
		t.addingNote()
		return
	}
	switch {
	case t.in.Kind == Files:
		t.say("Your ticket is being filed, so these files will not be in it. Attach them to the ticket in Jira once I post its link.")
	case strings.EqualFold(strings.TrimSpace(t.in.Text), "status"):
		t.say("Your ticket is being filed; I'll post its link here.")
	case strings.EqualFold(strings.TrimSpace(t.in.Text), "cancel"):
		t.say("It is already being filed, so I cannot cancel it. Once it is filed, close it in Jira if it is not needed.")
	default:
		t.say("Your ticket is being filed; I'll post its link here.")
	}
}

func (t *turn) filingOutcome() {
	if t.s.Phase != PhaseFiling || t.in.Kind == Added && t.s.AddTo == "" || t.in.Kind == Filed && t.s.AddTo != "" {
		return // a late or repeated outcome, or one for the other hand-over: the intake is already settled
	}
	if t.s.AddTo != "" {
		t.addOutcome()
		return
	}
	switch t.in.Kind {
	case Filed:
		is := t.in.Issue
		link := string(is.Key)
		if is.URL != "" {
			link = "[" + Quote(string(is.Key)) + "](" + is.URL + ")"
		}
		t.say("Filed %s: %s", link, Quote(t.s.Intake.Summary))
		for _, n := range is.Notes {
			t.say("Note: " + Quote(PlainWords(n)))
		}
		// The thread the intake came from gets the link from the filing
		// itself (dispatch), which posts it even when this conversation
		// has expired meanwhile: one post there, not two.
		t.s = State{Version: StateVersion}
	case FilingFailed:
		t.s.Phase = PhaseReview
		t.say("I could not file the ticket: %s Your answers are kept: reply `confirm` to try again, or `cancel`.", t.reason())
		t.reviewButtons()
		t.touch()
	case Queued:
		// Said once (on the first failed attempt), without Jira's own words:
		// what the person needs is that nothing is lost.
		t.say("Jira is not answering right now, so your ticket is queued. Nothing is lost: I'll file it as soon as Jira is back and post the link here.")
	}
}

func (t *turn) reason() string {
	if r := strings.TrimSpace(t.in.Reason); r != "" {
		return PlainWords(r)
	}
	return "something went wrong on the way to Jira."
}

// tick sends the reminder, or drops the intake, when their time has come.
func (t *turn) tick() {
	if t.s.Due.IsZero() || t.now.Before(t.s.Due) {
		return
	}
	switch t.s.Phase {
	case PhaseOffered:
		t.s = State{Version: StateVersion}
	case PhaseChecking:
		t.checked(nil)
		t.touch()
	case PhaseAsking, PhaseReview:
		if !t.s.Reminded {
			t.s.Reminded = true
			t.s.Due = t.now.Add(t.o.ExpireAfter)
			t.say("Your SET ticket %s is still waiting for you. Say `cancel` if it is no longer needed; with no answer in %s, I'll drop it.",
				t.title(), humanDuration(t.o.ExpireAfter))
			t.ask()
			return
		}
		idle := t.now.Sub(t.s.LastActive)
		t.say("I dropped your unfinished SET ticket %s after %s without an answer. Nothing was filed. Say `new` to start again.", t.title(), humanDuration(idle))
		t.s = State{Version: StateVersion}
	default:
		t.s.Due = time.Time{}
	}
}

func (t *turn) title() string {
	if t.s.Intake.Summary == "" {
		return "draft"
	}
	return "“" + clip(Quote(t.s.Intake.Summary), 80) + "”"
}

// clone copies s deeply enough that Step never changes its argument.
func (s State) clone() State {
	c := s
	c.FromPacket = append([]Item(nil), s.FromPacket...)
	c.Skipped = append([]Item(nil), s.Skipped...)
	c.Similar = append([]setbot.Issue(nil), s.Similar...)
	in := &c.Intake
	in.Logs = cloneAttachments(s.Intake.Logs)
	in.Profiles = cloneAttachments(s.Intake.Profiles)
	if s.Intake.Config != nil {
		a := cloneAttachment(*s.Intake.Config)
		in.Config = &a
	}
	if s.Intake.Packet != nil {
		a := cloneAttachment(*s.Intake.Packet)
		in.Packet = &a
	}
	return c
}

func cloneAttachments(as []setbot.Attachment) []setbot.Attachment {
	if as == nil {
		return nil
	}
	out := make([]setbot.Attachment, len(as))
	for i, a := range as {
		out[i] = cloneAttachment(a)
	}
	return out
}

func cloneAttachment(a setbot.Attachment) setbot.Attachment {
	a.Redacted = append([]string(nil), a.Redacted...)
	return a
}

// pageIfUrgent pages SET the moment an intake becomes L1 (or L2 with
// PageL2), with what is known so far, instead of when it is confirmed a
// dozen questions later: once per intake, and the intake goes on.
func (t *turn) pageIfUrgent() {
	if t.s.Paged || t.s.Intake.ID == "" || !setbot.AutoPage(t.s.Intake.Priority, t.o.PageL2) {
		return
	}
	switch t.s.Phase {
	case PhaseAsking, PhaseChecking, PhaseReview:
		t.s.Paged = true
		in := t.s.Intake
		t.after = append(t.after, Effect{Page: &in})
		note := fmt.Sprintf("This is %s, so I am paging the SET team now with what I have so far; let's finish the ticket meanwhile.", in.Priority)
		t.lines = append([]string{note}, t.lines...)
	}
}

// intakeTag joins a button's action and the ID of the intake it belongs to,
// so that a button of an earlier intake (a "File ticket" still on screen
// from last week) never acts on a newer one.
const intakeTag = "#"

// untag returns a click's action without its intake tag, and whether the
// tag names intake id. A click without a tag (a button posted before tags
// existed) or with another intake's tag is refused.
func untag(action, id string) (string, bool) {
	i := strings.LastIndex(action, intakeTag)
	if i < 0 || id == "" || action[i+len(intakeTag):] != id {
		return action, false
	}
	return action[:i], true
}
