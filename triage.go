package setbot

import (
	"fmt"
	"strings"
	"time"
)

// TicketChecks are the two checks SET's daily duties make on Jira: the
// stale tickets and the Kanban order (issue 15). Gathered by dispatch,
// written by Lines; the start report and `@setbot triage` show them.
type TicketChecks struct {
	Now time.Time
	// Policy is [stale]; Stale the open tickets past it. StaleMissing
	// says, in a sentence, why they could not be listed ("" when they
	// were).
	Policy       StalePolicy
	Stale        []Issue
	StaleMissing string
	// Classes are [order]; Misplaced and Want come from KanbanOrder.
	// OrderMissing is like StaleMissing.
	Classes      []OrderClass
	Misplaced    []Misplaced
	Want         []RankedTicket
	OrderMissing string
}

// maxOrderKeys is how many keys the "order they should have" line names:
// a TO DO column longer than that is reordered from its top anyway.
const maxOrderKeys = 30

// StaleLines is the stale-ticket section: a title and one line per ticket.
func (c TicketChecks) StaleLines() []string {
	title := fmt.Sprintf("##### Stale tickets (no Jira update for longer than %s)", c.Policy)
	switch {
	case c.StaleMissing != "":
		return []string{title, ":warning: " + c.StaleMissing}
	case len(c.Stale) == 0:
		return []string{title, "None."}
	}
	out := []string{title}
	for _, is := range c.Stale {
		out = append(out, "- "+c.staleLine(is, assigneeText(is)))
	}
	return out
}

// staleLine is "[SET-1](url) · L2 · summary · who · no update for 3d".
func (c TicketChecks) staleLine(is Issue, who string) string {
	key := string(is.Key)
	if is.URL != "" {
		key = fmt.Sprintf("[%s](%s)", is.Key, is.URL)
	}
	parts := []string{key, is.Priority.String(), oneLine(is.Summary, summaryRunes)}
	if who != "" {
		parts = append(parts, who)
	}
	parts = append(parts, "no update for "+FormatAge(c.Now.Sub(is.Updated)))
	return strings.Join(parts, " · ")
}

// OrderLines is the Kanban section: the TO DO tickets out of order, where
// each belongs, and the order the column should have.
func (c TicketChecks) OrderLines() []string {
	names := make([]string, 0, len(c.Classes)+1)
	for _, cl := range c.Classes {
		names = append(names, cl.Name)
	}
	title := fmt.Sprintf("##### Kanban TO DO order (%s)", strings.Join(append(names, OtherClass), " > "))
	switch {
	case c.OrderMissing != "":
		return []string{title, ":warning: " + c.OrderMissing}
	case len(c.Misplaced) == 0:
		return []string{title, "None out of order."}
	}
	out := []string{title, fmt.Sprintf("%d out of order: each is ranked below a ticket of a lower class.", len(c.Misplaced))}
	for _, m := range c.Misplaced {
		key := string(m.Ticket.Key)
		if m.Ticket.URL != "" {
			key = fmt.Sprintf("[%s](%s)", m.Ticket.Key, m.Ticket.URL)
		}
		out = append(out, fmt.Sprintf("- %s (%s) is #%d, belongs at #%d · %s", key, ClassName(c.Classes, m.Ticket.Class),
			m.At, m.Want, oneLine(m.Ticket.Summary, summaryRunes)))
	}
	keys := make([]string, 0, maxOrderKeys)
	for _, t := range c.Want[:min(len(c.Want), maxOrderKeys)] {
		keys = append(keys, string(t.Key))
	}
	line := "The order they should have: " + strings.Join(keys, ", ")
	if more := len(c.Want) - maxOrderKeys; more > 0 {
		line += fmt.Sprintf(", … (%d more)", more)
	}
	return append(out, line)
}

// StaleDigest is the daily digest of stale tickets: grouped by assignee,
// each assignee mentioned once, so each knows what to push. Unassigned
// tickets and Jira accounts without a Mattermost name are listed without a
// mention.
func (c TicketChecks) StaleDigest() string {
	lines := []string{fmt.Sprintf("#### Stale SET tickets: %d with no Jira update for longer than their level allows (%s)", len(c.Stale), c.Policy),
		"Please update each one, or move it on: a comment in Jira counts."}
	order, by := StaleByAssignee(c.Stale)
	for _, k := range order {
		switch name, isName := strings.CutPrefix(k, "name:"); {
		case k == "":
			lines = append(lines, "", "**Unassigned**: the primary please find an owner")
		case isName:
			lines = append(lines, "", oneLine(name, 40)+" (Jira account not in [jira.accounts])")
		default:
			lines = append(lines, "", mention(Username(k)))
		}
		for _, is := range by[k] {
			lines = append(lines, "- "+c.staleLine(is, ""))
		}
	}
	return fitLines(lines)
}

// fitLines joins lines into one post, cutting whole lines from the end
// (with a line that says so) when they do not fit.
func fitLines(lines []string) string {
	text := strings.Join(lines, "\n")
	if runes(text) <= MaxPostRunes {
		return text
	}
	const cut = "… (the post is full: ask again for the rest)"
	budget := MaxPostRunes - runes(cut) - 1
	var kept []string
	for _, l := range lines {
		if budget -= runes(l) + 1; budget < 0 {
			break
		}
		kept = append(kept, l)
	}
	return strings.Join(append(kept, cut), "\n")
}

// TriageReport is what `@setbot triage` posts: every duty's list now.
type TriageReport struct {
	Now time.Time
	// Unanswered are ~sustained-engineering posts with no SET reply yet;
	// Questions the ~Ask R&D questions older than AskAfter nobody answered
	// or took.
	Unanswered []Watched
	Questions  []Watched
	AskAfter   time.Duration
	Checks     TicketChecks
	// Link is a post's permalink.
	Link func(PostID) string
}

// maxTriageItems bounds each list of a triage post, so that all four fit
// in one post (16,383 runes; a line is at most about 250).
const maxTriageItems = 15

// Text writes the triage post; an empty list says "None."
func (r TriageReport) Text() string {
	lines := []string{"#### Triage: what SET has waiting now"}
	lines = append(lines, "", "##### Unanswered in ~sustained-engineering")
	lines = append(lines, r.postLines(r.Unanswered)...)
	lines = append(lines, "", fmt.Sprintf("##### ~Ask R&D questions waiting %s or more", FormatAge(r.AskAfter)))
	lines = append(lines, r.postLines(r.Questions)...)
	lines = append(lines, "")
	lines = append(lines, capLines(r.Checks.StaleLines())...)
	lines = append(lines, "")
	lines = append(lines, capLines(r.Checks.OrderLines())...)
	return fitLines(lines)
}

func (r TriageReport) postLines(ws []Watched) []string {
	if len(ws) == 0 {
		return []string{"None."}
	}
	var out []string
	for i, w := range ws {
		if i == maxTriageItems {
			out = append(out, moreLine(len(ws)-i))
			break
		}
		line := fmt.Sprintf("- “%s”, %s ago", oneLine(w.Excerpt, summaryRunes), FormatAge(r.Now.Sub(w.At)))
		if r.Link != nil {
			line += fmt.Sprintf(" ([link](%s))", r.Link(w.Post))
		}
		out = append(out, line)
	}
	return out
}

// capLines keeps a section's title lines and at most maxTriageItems list
// items, saying how many were left out.
func capLines(lines []string) []string {
	var out []string
	items := 0
	for i, l := range lines {
		if !strings.HasPrefix(l, "- ") {
			out = append(out, l)
			continue
		}
		if items++; items > maxTriageItems {
			left := 0
			for _, rest := range lines[i:] {
				if strings.HasPrefix(rest, "- ") {
					left++
				}
			}
			out = append(out, moreLine(left))
			for _, rest := range lines[i:] { // keep the closing lines
				if !strings.HasPrefix(rest, "- ") {
					out = append(out, rest)
				}
			}
			return out
		}
		out = append(out, l)
	}
	return out
}
