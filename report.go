package setbot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TicketLister lists the SET project's open tickets. Implemented by package
// jira. It is separate from Tracker so that Tracker's fakes need not
// implement it; a Tracker that is not a TicketLister has no listing.
type TicketLister interface {
	// OpenTickets returns up to max tickets of the SET project whose status
	// is not in the Done category, with Priority, Assignee(Name) and
	// Updated filled. Errors are *Error like Tracker's.
	OpenTickets(ctx context.Context, max int) ([]Issue, error)
}

// MaxReportTickets is how many open tickets a report reads from Jira: more
// than a SET team can review in a week, and few enough for one post.
const MaxReportTickets = 200

// summaryRunes is how much of a ticket summary a report line shows.
const summaryRunes = 100

// CycleReport is everything a weekly cycle report says, gathered before it
// is written; Text writes it. It is a pure value: links are made by the
// functions given.
type CycleReport struct {
	Kind  ReportKind
	Now   time.Time
	Bot   Username // setbot's username, for the commands it suggests
	Shift Shift    // this week's team (the outgoing team of a hand-over)
	Next  Shift    // next week's team (the incoming team)
	// Tickets are the open tickets; TicketsMissing says, in a sentence, why
	// they could not be listed ("" when they were). TicketsCapped says more
	// open tickets exist than were read.
	Tickets        []Issue
	TicketsMissing string
	TicketsCapped  bool
	Incidents      []Incident // tracked, unresolved
	Pages          []Page     // open, unacknowledged
	// Checks are the stale tickets and the Kanban order, which the start
	// report lists; nil: not checked.
	Checks *TicketChecks
	// Record is the outgoing week's record so far, which the hand-over
	// report shows; nil: none.
	Record *WeekRecord
	// Late is when the report was due, when it is posted later than that.
	Late time.Time
	// ThreadLink links a thread of ~sustained-engineering, ChannelLink an
	// incident's channel; nil: no links.
	ThreadLink  func(PostID) string
	ChannelLink func(ChannelID) string
}

// SortTickets orders tickets most urgent first: by priority (L1 first,
// unset last), then the longest without an update, then by key.
func SortTickets(ts []Issue) {
	rank := func(p Priority) int {
		if p.Valid() {
			return int(p)
		}
		return int(L4) + 1
	}
	slices.SortStableFunc(ts, func(a, b Issue) int {
		if c := rank(a.Priority) - rank(b.Priority); c != 0 {
			return c
		}
		if c := a.Updated.Compare(b.Updated); c != 0 {
			return c
		}
		return strings.Compare(string(a.Key), string(b.Key))
	})
}

// AssignCommand is the exact command that assigns key to user.
func AssignCommand(bot Username, key IssueKey, user Username) string {
	if user == "" {
		user = "someone"
	}
	return fmt.Sprintf("`@%s assign %s @%s`", bot, key, user)
}

// Suggested is who open tickets should go to: this week's primary in the
// start report, next week's in the hand-over; the lead when there is no
// primary; "" when there is neither.
func (r CycleReport) Suggested() Username {
	s := r.Shift
	if r.Kind == ReportHandover {
		s = r.Next
	}
	if s.Primary != "" {
		return s.Primary
	}
	return s.Lead
}

// Outgoing are the open tickets the hand-over passes on: assigned to this
// week's team and not to somebody on next week's too, and not with another
// team, most urgent first.
func (r CycleReport) Outgoing() []Issue {
	var out []Issue
	for _, is := range r.Tickets {
		if r.Shift.Has(is.Assignee) && !r.Next.Has(is.Assignee) && !is.HandedOver {
			out = append(out, is)
		}
	}
	SortTickets(out)
	return out
}

// Unowned reports whether a ticket needs an owner on this week's team: one
// handed over to another team does not.
func (r CycleReport) Unowned(is Issue) bool { return !is.HandedOver && !r.Shift.Has(is.Assignee) }

// Text writes the report, within one post.
func (r CycleReport) Text() string {
	var head, tail []string
	var items []string
	var itemTitle string
	if r.Kind == ReportHandover {
		head, itemTitle, items, tail = r.handoverParts()
	} else {
		head, itemTitle, items, tail = r.startParts()
	}
	return fitReport(head, itemTitle, items, tail)
}

func (r CycleReport) startParts() (head []string, title string, items, tail []string) {
	head = append(head, fmt.Sprintf("#### SET week of %s: start of the week", r.Shift.Week()), r.lateLine())
	if r.Shift.Empty() {
		head = append(head, "Nobody is on SET this week: the rotation has no entry for it. A rotation admin can fix that with `@"+string(r.Bot)+" override this primary @someone`.")
	} else {
		head = append(head, "On SET this week: "+teamLine(r.Shift, true),
			"Review the open tickets below and make sure each one has an owner on this week's team.")
	}
	tail = append(tail, r.incidentSection()...)
	tail = append(tail, r.pageSection()...)
	if r.Checks != nil {
		tail = append(append(tail, ""), capLines(r.Checks.StaleLines())...)
		tail = append(append(tail, ""), capLines(r.Checks.OrderLines())...)
	}
	if r.TicketsMissing != "" {
		return head, "", nil, append([]string{"", "##### Open SET tickets", ":warning: " + r.TicketsMissing}, tail...)
	}
	ts := slices.DeleteFunc(slices.Clone(r.Tickets), func(is Issue) bool { return is.HandedOver })
	SortTickets(ts)
	tail = append(r.otherTeamsSection(), tail...)
	unowned := 0
	for _, is := range ts {
		if r.Unowned(is) {
			unowned++
			items = append(items, "- :warning: "+r.ticketLine(is)+" → "+AssignCommand(r.Bot, is.Key, r.Suggested()))
		} else {
			items = append(items, "- "+r.ticketLine(is))
		}
	}
	title = fmt.Sprintf("##### Open SET tickets (%s), most urgent first", r.count(len(ts)))
	if unowned > 0 {
		title += fmt.Sprintf("\n%d without an owner on this week's team are marked :warning:, each with the command that assigns it.", unowned)
	}
	if len(ts) == 0 {
		title, items = "##### Open SET tickets\nNone: every SET ticket is done.", nil
	}
	return head, title, items, tail
}

// otherTeamsSection lists the tickets handed over to other teams: SET
// stays the contact, so they are shown, but nobody on SET has to own them.
func (r CycleReport) otherTeamsSection() []string {
	var with []Issue
	for _, is := range r.Tickets {
		if is.HandedOver {
			with = append(with, is)
		}
	}
	if len(with) == 0 {
		return nil
	}
	SortTickets(with)
	// The section sits in the report's fixed part, so it is bounded: a
	// long list of other teams' tickets must not push SET's own out.
	const most = 15
	out := []string{"", fmt.Sprintf("##### With other teams (%d; SET stays the contact)", len(with))}
	for i, is := range with {
		if i == most {
			out = append(out, fmt.Sprintf("- … and %d more.", len(with)-most))
			break
		}
		out = append(out, "- "+r.ticketLine(is))
	}
	return out
}

func (r CycleReport) handoverParts() (head []string, title string, items, tail []string) {
	head = append(head, fmt.Sprintf("#### SET hand-over: week of %s → week of %s", r.Shift.Week(), r.Next.Week()), r.lateLine())
	if r.Next.Empty() {
		head = append(head, ":warning: Nobody is on SET next week yet: the rotation has no entry for it. A rotation admin or lead can fix that with `@"+string(r.Bot)+" override next primary @someone`.")
	} else {
		head = append(head, "Incoming SET team: "+teamLine(r.Next, true))
		if gaps := emptySeats(r.Next); len(gaps) > 0 {
			head = append(head, fmt.Sprintf(":warning: Next week has gaps: nobody is the %s. Fill them with `@%s override next %s @someone`.", strings.Join(gaps, ", nor the "), r.Bot, gaps[0]))
		}
	}
	head = append(head, "Outgoing SET team: "+teamLine(r.Shift, false))
	tail = append(tail, r.channelSection()...)
	if r.Record != nil {
		tail = append(append(tail, "", "##### The outgoing week's record (so far; the chart shows the last weeks)"), RecordTable([]WeekRecord{*r.Record})...)
	}
	tail = append(tail, "", "##### Knowledge transfer",
		"Outgoing team: before the end of the day, pass on what is not in Jira or the incident channels (hunches, customer contacts, promised follow-ups, things to watch) — a reply in this thread works.")
	if r.TicketsMissing != "" {
		return head, "", nil, append([]string{"", "##### Open tickets to hand over", ":warning: " + r.TicketsMissing}, tail...)
	}
	out := r.Outgoing()
	to := r.Suggested()
	for _, is := range out {
		items = append(items, "- "+r.ticketLine(is)+" → "+AssignCommand(r.Bot, is.Key, to))
	}
	title = fmt.Sprintf("##### Open tickets held by the outgoing team (%s)", r.count(len(out)))
	switch {
	case len(out) == 0:
		title, items = "##### Open tickets held by the outgoing team\nNone: nothing to reassign.", nil
	case to == "":
		title += "\nNobody is on SET next week to take them: fill the rotation first."
	default:
		title += fmt.Sprintf("\nSuggested new assignee: the incoming primary, @%s. Each line has the command; the button assigns them all.", to)
	}
	return head, title, items, tail
}

// count is n, with "at least" when the listing was capped.
func (r CycleReport) count(n int) string {
	if r.TicketsCapped {
		return fmt.Sprintf("at least %d", n)
	}
	return fmt.Sprint(n)
}

func (r CycleReport) lateLine() string {
	if r.Late.IsZero() {
		return ""
	}
	return fmt.Sprintf("_This report was due at %s; setbot was not running then._", r.Late.Format("Mon 15:04 MST"))
}

// ticketLine is "[SET-1](url) · L2 · summary · `@alice` · updated 2d ago".
func (r CycleReport) ticketLine(is Issue) string {
	key := string(is.Key)
	if is.URL != "" {
		key = fmt.Sprintf("[%s](%s)", is.Key, is.URL)
	}
	parts := []string{key, is.Priority.String(), oneLine(is.Summary, summaryRunes), assigneeText(is)}
	if !is.Updated.IsZero() {
		parts = append(parts, "updated "+FormatAge(r.Now.Sub(is.Updated))+" ago")
	}
	return strings.Join(parts, " · ")
}

func assigneeText(is Issue) string {
	switch {
	case is.Assignee != "":
		return "`@" + string(is.Assignee) + "`"
	case is.AssigneeName != "":
		return oneLine(is.AssigneeName, 40) + " (Jira account not in [jira.accounts])"
	}
	return "**unassigned**"
}

func (r CycleReport) incidentSection() []string {
	if len(r.Incidents) == 0 {
		return []string{"", "##### Tracked incidents", "None."}
	}
	out := []string{"", fmt.Sprintf("##### Tracked incidents (%d)", len(r.Incidents))}
	for _, in := range r.Incidents {
		line := "- " + IncidentLine(in, r.Now)
		if r.ThreadLink != nil && in.Root != "" {
			line += fmt.Sprintf(" ([thread](%s))", r.ThreadLink(in.Root))
		}
		out = append(out, clipLine(line, 400)) // IncidentLine neutralised the title
	}
	return out
}

func (r CycleReport) pageSection() []string {
	if len(r.Pages) == 0 {
		return []string{"", "##### Open pages", "None."}
	}
	out := []string{"", fmt.Sprintf("##### Open pages (%d), not acknowledged", len(r.Pages))}
	for _, p := range r.Pages {
		line := fmt.Sprintf("- %q by `@%s`, %s ago", oneLine(p.Text, summaryRunes), p.By, FormatAge(r.Now.Sub(p.Created)))
		if p.Step != StepNone {
			line += fmt.Sprintf(", last paged: the %s (`@%s`)", p.Step, p.Target(p.Step))
		}
		if r.ThreadLink != nil && p.Root != "" {
			line += fmt.Sprintf(" ([thread](%s))", r.ThreadLink(p.Root))
		}
		out = append(out, line)
	}
	return out
}

func (r CycleReport) channelSection() []string {
	var lines []string
	for _, in := range r.Incidents {
		if in.Channel == "" {
			continue
		}
		where := "its channel"
		if link := ""; r.ChannelLink != nil {
			if link = r.ChannelLink(in.Channel); link != "" {
				where = fmt.Sprintf("[its channel](%s)", link)
			}
		}
		lines = append(lines, clipLine(fmt.Sprintf("- %s (%s) %s: %s", in.Key, in.Priority, Unmention(in.Title), where), 400))
	}
	if len(lines) == 0 {
		return []string{"", "##### Incident channels to join", "No tracked incident has a channel of its own."}
	}
	return append([]string{"", "##### Incident channels to join", "Incoming team: join these so you see the incidents' updates."}, lines...)
}

// teamLine is "lead @carol · primary @alice · backup @bob"; notify false
// writes the names without notifying them.
func teamLine(s Shift, notify bool) string {
	if notify {
		return seats(s, mention)
	}
	return seats(s, func(u Username) string { return "`@" + string(u) + "`" })
}

// emptySeats names the roles nobody holds in s, in header order.
func emptySeats(s Shift) []string {
	var out []string
	for _, r := range Roles {
		if s.Who(r) == "" {
			out = append(out, r.String())
		}
	}
	return out
}

// oneLine puts s on one line and clips it to n runes.
// oneLine puts text from Jira or a person on one line of at most n runes,
// with its mentions neutralised.
func oneLine(s string, n int) string { return clipLine(Unmention(s), n) }

// clipLine puts a line setbot composed on one line of at most n runes.
func clipLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// fitReport joins the parts, dropping list items from the end (with a line
// that says how many) so that the text fits one post.
func fitReport(head []string, title string, items, tail []string) string {
	lines := slices.DeleteFunc(slices.Clone(head), func(s string) bool { return s == "" })
	if title != "" {
		lines = append(lines, "", title)
	}
	budget := MaxPostRunes - runes(strings.Join(append(slices.Clone(lines), tail...), "\n")) - 1
	all := 0
	for _, it := range items {
		all += runes(it) + 1
	}
	if all <= budget {
		lines = append(lines, items...)
	} else {
		budget -= runes(moreLine(len(items))) + 1
		for i, it := range items {
			if budget -= runes(it) + 1; budget < 0 {
				lines = append(lines, moreLine(len(items)-i))
				break
			}
			lines = append(lines, it)
		}
	}
	text := strings.Join(append(lines, tail...), "\n")
	if r := []rune(text); len(r) > MaxPostRunes { // the fixed parts alone are too long
		return string(r[:MaxPostRunes-1]) + "…"
	}
	return text
}

func moreLine(n int) string {
	return fmt.Sprintf("- … and %d more (the post is full: see Jira for the rest)", n)
}

func runes(s string) int { return len([]rune(s)) }
