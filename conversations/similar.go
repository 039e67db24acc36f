package conversations

import (
	"fmt"
	"strings"

	"github.com/setbot/setbot"
)

// The duplicate check: before the review of an intake for SET, the
// dispatcher looks for similar open SET tickets (Effect.Similar) and answers
// with SimilarFound. The review then offers "Add to KEY" (a comment with the
// intake's description and files: Effect.Add, answered by Added) beside
// "File new". An error or timeout answers with no tickets, and the intake
// goes on as if there were none.

// needsCheck reports whether the intake must look for similar tickets
// before its review: it goes to SET, and its summary was not looked for yet.
func (t *turn) needsCheck() bool {
	return t.o.CheckSimilar && !routed(t.s.Intake) && t.s.Checked != t.s.Intake.Summary
}

// check asks the dispatcher for similar open tickets.
func (t *turn) check() {
	t.s.Phase = PhaseChecking
	t.s.Similar = nil
	in := t.s.Intake
	t.after = append(t.after, Effect{Similar: &in})
	t.say("That's everything I need. One moment: I'm looking in Jira for open SET tickets like this one.")
}

// similarFound takes the search's answer and shows the review.
func (t *turn) similarFound() {
	if t.s.Phase != PhaseChecking || (t.in.IntakeID != "" && t.in.IntakeID != t.s.Intake.ID) {
		return // a late answer: the intake moved on, and asks again if it must
	}
	t.checked(t.in.Issues)
	t.touch()
}

// checked records the search's result (nil: none, or it failed) and shows
// the review.
func (t *turn) checked(issues []setbot.Issue) {
	t.s.Checked = t.s.Intake.Summary
	t.s.Similar = nil
	for _, is := range issues {
		if is.Key != "" && len(t.s.Similar) < MaxSimilar {
			t.s.Similar = append(t.s.Similar, setbot.Issue{Key: is.Key, URL: is.URL, Summary: is.Summary, Status: is.Status})
		}
	}
	t.s.Phase = PhaseReview
	t.reviewPost()
}

// checking answers the person while the search runs: files are taken,
// cancel and status work, anything else waits.
func (t *turn) checking() {
	switch {
	case t.in.Kind == Files:
		t.files(t.in.Files)
		t.captions(t.in.Text)
		if t.s.PacketPending {
			t.advance()
			return
		}
	case t.in.Kind == Click && t.in.Action == "intake:cancel",
		t.in.Kind == Text && strings.EqualFold(strings.TrimSpace(t.in.Text), "cancel"):
		t.cancel("")
		return
	case t.in.Kind == Text && strings.EqualFold(strings.TrimSpace(t.in.Text), "status"):
		t.status()
	}
	t.say("I'm still looking in Jira for similar open SET tickets; I'll show you the ticket to check in a moment.")
}

// matches are the similar tickets to offer: none for a routed intake.
func (t *turn) matches() []setbot.Issue {
	if routed(t.s.Intake) {
		return nil
	}
	return t.s.Similar
}

func (t *turn) similarIssue(key string) *setbot.Issue {
	for i, is := range t.matches() {
		if strings.EqualFold(string(is.Key), strings.TrimSpace(key)) {
			return &t.s.Similar[i]
		}
	}
	return nil
}

func (t *turn) offeredKeys() string {
	var keys []string
	for _, is := range t.matches() {
		keys = append(keys, "`"+Quote(string(is.Key))+"`")
	}
	return strings.Join(keys, ", ")
}

// issueLink is a ticket as a Markdown link (its key alone without a URL).
func issueLink(is setbot.Issue) string {
	if is.URL == "" {
		return Quote(string(is.Key))
	}
	return "[" + Quote(string(is.Key)) + "](" + is.URL + ")"
}

// similarSection lists the similar tickets in the review.
func (t *turn) similarSection() string {
	var b strings.Builder
	b.WriteString("**These open SET tickets look similar.** If yours is one of them, I can add your description and files to it as a comment instead of filing a new ticket:")
	for _, is := range t.matches() {
		fmt.Fprintf(&b, "\n- %s %s", issueLink(is), clip(Quote(is.Summary), maxEchoRunes))
		if is.Status != "" {
			fmt.Fprintf(&b, " (%s)", Quote(is.Status))
		}
	}
	return b.String()
}

// addTo hands the intake over to be added to an offered ticket.
func (t *turn) addTo(key string) {
	is := t.similarIssue(key)
	if is == nil {
		t.ask()
		return
	}
	t.s.Intake.Confirmed = t.now
	t.s.Filings++
	t.s.Phase = PhaseFiling
	t.s.AddTo = is.Key
	t.say("Adding your description and files to %s as a comment; I'll post here when it's done.", issueLink(*is))
	t.after = append(t.after, Effect{Add: &AddTo{Issue: *is, Intake: t.s.Intake}})
}

// addingNote answers the person while the comment is being added.
func (t *turn) addingNote() {
	switch {
	case t.in.Kind == Files:
		t.say("I'm adding your report to %s, so these files will not be in it. Attach them to %s in Jira.", Quote(string(t.s.AddTo)), Quote(string(t.s.AddTo)))
	case strings.EqualFold(strings.TrimSpace(t.in.Text), "cancel"):
		t.say("It is already being added to %s, so I cannot cancel it.", Quote(string(t.s.AddTo)))
	default:
		t.say("I'm adding your report to %s; I'll post here when it's done.", Quote(string(t.s.AddTo)))
	}
}

// addOutcome settles an "Add to KEY": done, failed (back to the review), or
// delayed.
func (t *turn) addOutcome() {
	key := Quote(string(t.s.AddTo))
	switch t.in.Kind {
	case Added:
		is := t.in.Issue
		if is.Key == "" {
			is.Key = t.s.AddTo
		}
		link := issueLink(is)
		t.say("Added your description and files to %s. Nothing new was filed: SET continues there.", link)
		if t.s.Intake.Origin != "" {
			t.after = append(t.after, Effect{Thread: &ThreadPost{Channel: t.s.Intake.Origin, Root: t.s.Intake.OriginRoot,
				Text: "Added to the existing SET ticket " + link + "."}})
		}
		t.s = State{Version: StateVersion}
	case FilingFailed:
		t.s.Phase, t.s.AddTo = PhaseReview, ""
		t.say("I could not add your report to %s: %s Your answers are kept.", key, t.reason())
		t.ask()
		t.touch()
	case Queued:
		t.say("Jira is not answering right now, so your report is queued for %s. Nothing is lost: I'll add it as soon as Jira is back and tell you here.", key)
	}
}
