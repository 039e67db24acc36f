package setbot

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var rep0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday

func sampleReport(kind ReportKind) CycleReport {
	week := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	return CycleReport{
		Kind: kind, Now: rep0, Bot: "setbot",
		Shift: Shift{WeekStart: week, WeekEnd: week.AddDate(0, 0, 7), Primary: "alice", Backup: "bob", Lead: "carol"},
		Next:  Shift{WeekStart: week.AddDate(0, 0, 7), WeekEnd: week.AddDate(0, 0, 14), Primary: "dave", Lead: "erin"},
		Tickets: []Issue{
			{Key: "SET-3", URL: "https://j/browse/SET-3", Summary: "Export\ncrashes", Priority: L3, AssigneeName: "Dana Smith", Updated: rep0.Add(-50 * time.Hour)},
			{Key: "SET-1", URL: "https://j/browse/SET-1", Summary: "Login fails for SSO users", Priority: L1, Assignee: "alice", Updated: rep0.Add(-2 * time.Hour)},
			{Key: "SET-2", URL: "https://j/browse/SET-2", Summary: "Slow search", Priority: L3, Updated: rep0.Add(-100 * time.Hour)},
			{Key: "SET-4", URL: "https://j/browse/SET-4", Summary: "Push notifications late", Priority: L2, Assignee: "bob", Updated: rep0.Add(-30 * time.Minute)},
			{Key: "SET-5", URL: "https://j/browse/SET-5", Summary: "Old question", Assignee: "zed", Updated: rep0.Add(-10 * 24 * time.Hour)},
		},
		Incidents: []Incident{{Key: "SET-1", Priority: L1, Title: "Login fails", Channel: "ch-inc", Root: "root-1", Owner: "alice",
			Opened: rep0.Add(-48 * time.Hour), LastUpdate: rep0.Add(-3 * time.Hour)}},
		Pages:       []Page{{ID: "pg", Text: "db is down", By: "support1", Root: "root-pg", Created: rep0.Add(-20 * time.Minute), Step: StepBackup, Targets: [3]Username{"alice", "bob"}}},
		ThreadLink:  func(p PostID) string { return "https://chat/pl/" + string(p) },
		ChannelLink: func(c ChannelID) string { return "https://chat/set/channels/" + string(c) },
	}
}

func TestStartReport(t *testing.T) {
	got := sampleReport(ReportStart).Text()
	want := `#### SET week of 2026-03-02: start of the week
On SET this week: lead @carol · primary @alice · backup @bob
Review the open tickets below and make sure each one has an owner on this week's team.

##### Open SET tickets (5), most urgent first
3 without an owner on this week's team are marked :warning:, each with the command that assigns it.
- [SET-1](https://j/browse/SET-1) · L1 · Login fails for SSO users · ` + "`@alice`" + ` · updated 2h ago
- [SET-4](https://j/browse/SET-4) · L2 · Push notifications late · ` + "`@bob`" + ` · updated 30m ago
- :warning: [SET-2](https://j/browse/SET-2) · L3 · Slow search · **unassigned** · updated 4d 4h ago → ` + "`@setbot assign SET-2 @alice`" + `
- :warning: [SET-3](https://j/browse/SET-3) · L3 · Export crashes · Dana Smith (Jira account not in [jira.accounts]) · updated 2d 2h ago → ` + "`@setbot assign SET-3 @alice`" + `
- :warning: [SET-5](https://j/browse/SET-5) · unset · Old question · ` + "`@zed`" + ` · updated 10d ago → ` + "`@setbot assign SET-5 @alice`" + `

##### Tracked incidents (1)
- SET-1 (L1) — last update 3h ago, owner: ` + "`@alice`" + ` — Login fails ([thread](https://chat/pl/root-1))

##### Open pages (1), not acknowledged
- "db is down" by ` + "`@support1`" + `, 20m ago, last paged: the backup (` + "`@bob`" + `) ([thread](https://chat/pl/root-pg))`
	if got != want {
		t.Errorf("start report:\n%s\n\nwant:\n%s", got, want)
	}
}

func TestHandoverReport(t *testing.T) {
	r := sampleReport(ReportHandover)
	r.Now = rep0.Add(4*24*time.Hour + 5*time.Hour) // Friday 14:00
	got := r.Text()
	for _, want := range []string{
		"#### SET hand-over: week of 2026-03-02 → week of 2026-03-09",
		"Incoming SET team: lead @erin · primary @dave · backup nobody",
		":warning: Next week has gaps: nobody is the backup. Fill them with `@setbot override next backup @someone`.",
		"Outgoing SET team: lead `@carol` · primary `@alice` · backup `@bob`",
		"##### Open tickets held by the outgoing team (2)\nSuggested new assignee: the incoming primary, @dave.",
		"- [SET-1](https://j/browse/SET-1) · L1 · Login fails for SSO users · `@alice` · updated 4d 7h ago → `@setbot assign SET-1 @dave`\n" +
			"- [SET-4](https://j/browse/SET-4) · L2 · Push notifications late · `@bob` · updated 4d 5h ago → `@setbot assign SET-4 @dave`\n",
		"##### Incident channels to join\nIncoming team: join these so you see the incidents' updates.\n- SET-1 (L1) Login fails: [its channel](https://chat/set/channels/ch-inc)",
		"##### Knowledge transfer\nOutgoing team: before the end of the day, pass on what is not in Jira",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("hand-over lacks %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"SET-2", "SET-3", "SET-5", "Open pages"} {
		if strings.Contains(got, not) {
			t.Errorf("hand-over mentions %q, which the outgoing team does not hold:\n%s", not, got)
		}
	}
	if out := r.Outgoing(); len(out) != 2 || out[0].Key != "SET-1" || r.Suggested() != "dave" {
		t.Errorf("Outgoing = %v, Suggested = %s", out, r.Suggested())
	}
	// Somebody on both teams keeps their ticket.
	r.Next.Primary = "alice"
	if out := r.Outgoing(); len(out) != 1 || out[0].Key != "SET-4" {
		t.Errorf("alice stays on SET, yet her ticket is handed over: %v", out)
	}
}

func TestReportWithoutJiraOrTeam(t *testing.T) {
	r := sampleReport(ReportStart)
	r.Tickets, r.TicketsMissing = nil, "Jira could not be read (it did not answer for 30m), so the open tickets are not listed."
	r.Late = rep0.Add(-3 * time.Hour)
	r.Incidents, r.Pages = nil, nil
	got := r.Text()
	for _, want := range []string{
		"_This report was due at Mon 06:00 UTC; setbot was not running then._",
		"##### Open SET tickets\n:warning: Jira could not be read (it did not answer for 30m)",
		"##### Tracked incidents\nNone.", "##### Open pages\nNone.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	h := sampleReport(ReportHandover)
	h.Next = Shift{WeekStart: h.Next.WeekStart}
	if got := h.Text(); !strings.Contains(got, ":warning: Nobody is on SET next week yet") || strings.Contains(got, "button") {
		t.Errorf("hand-over to nobody:\n%s", got)
	}
}

func TestReportFitsOnePost(t *testing.T) {
	r := sampleReport(ReportStart)
	r.Tickets = nil
	for i := range 2000 {
		r.Tickets = append(r.Tickets, Issue{Key: IssueKey(fmt.Sprintf("SET-%d", i+1)), URL: "https://jira.example.com/browse/x",
			Summary: strings.Repeat("ü", 300), Priority: L2, Assignee: "alice", Updated: rep0})
	}
	got := r.Text()
	if n := len([]rune(got)); n > MaxPostRunes {
		t.Fatalf("report has %d runes, more than a post holds", n)
	}
	if !strings.Contains(got, "more (the post is full: see Jira for the rest)") || !strings.HasSuffix(got, "([thread](https://chat/pl/root-pg))") {
		t.Errorf("the cut report does not say how many more, or lost its tail:\n%s", got[len(got)-600:])
	}
	lines := strings.Count(got, "\n- [SET-") + strings.Count(got, "\n- :warning: [SET-")
	var more int
	fmt.Sscanf(got[strings.Index(got, "- … and ")+len("- … and "):], "%d", &more)
	if lines+more != 2000 {
		t.Errorf("%d listed + %d more != 2000", lines, more)
	}
}

func TestSortTickets(t *testing.T) {
	ts := []Issue{{Key: "A-1"}, {Key: "A-2", Priority: L4}, {Key: "A-3", Priority: L1, Updated: rep0}, {Key: "A-4", Priority: L1, Updated: rep0.Add(-time.Hour)}}
	SortTickets(ts)
	var keys []string
	for _, is := range ts {
		keys = append(keys, string(is.Key))
	}
	if got := strings.Join(keys, " "); got != "A-4 A-3 A-2 A-1" {
		t.Errorf("order %s", got)
	}
}

func BenchmarkStartReport(b *testing.B) {
	r := sampleReport(ReportStart)
	r.Tickets = nil
	for i := range MaxReportTickets {
		r.Tickets = append(r.Tickets, Issue{Key: IssueKey(fmt.Sprintf("SET-%d", i+1)), URL: "https://jira.example.com/browse/x",
			Summary: "A summary of a usual length for a ticket", Priority: Priority(i % 5), Assignee: "zed", Updated: rep0.Add(-time.Duration(i) * time.Hour)})
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Text()
	}
}

// TestJiraTextNeverMentions: a summary or title from Jira that holds
// mentions is repeated without notifying anyone, and owners are named in
// code spans.
func TestJiraTextNeverMentions(t *testing.T) {
	in := Incident{Key: "SET-1", Priority: L1, Title: "@channel everything is down, ping @all", Owner: "alice", Opened: time.Now()}
	line := IncidentLine(in, time.Now())
	if strings.Contains(line, "@channel") || strings.Contains(line, "@all") || !strings.Contains(line, "`@alice`") {
		t.Errorf("IncidentLine = %q: want no live mention", line)
	}
	if got := oneLine("hey @here and @bob", 100); strings.Contains(got, "@here") || strings.Contains(got, "@bob") {
		t.Errorf("oneLine = %q: want no live mention", got)
	}
}

// TestHandedOverTicketsAreWithOtherTeams: a ticket handed over to another
// team is listed under "With other teams", not flagged as unowned with an
// assign command that would undo the hand-over, and is not passed on at
// the Friday hand-over.
func TestHandedOverTicketsAreWithOtherTeams(t *testing.T) {
	r := sampleReport(ReportStart)
	r.Tickets = append(r.Tickets, Issue{Key: "SET-9", URL: "https://j/browse/SET-9", Summary: "Mobile push broken", Priority: L2,
		AssigneeName: "Mobile Team", HandedOver: true, Updated: rep0.Add(-time.Hour)})
	text := r.Text()
	i := strings.Index(text, "##### With other teams (1; SET stays the contact)")
	if i < 0 || !strings.Contains(text[i:], "SET-9") {
		t.Fatalf("no 'With other teams' section with SET-9:\n%s", text)
	}
	if strings.Contains(text, "assign SET-9") || strings.Contains(text[:i], "SET-9") {
		t.Errorf("the handed-over ticket is flagged or listed as SET's own:\n%s", text)
	}
	r.Kind = ReportHandover
	r.Tickets[len(r.Tickets)-1].Assignee = "alice" // even if a SET member still holds it in Jira
	for _, is := range r.Outgoing() {
		if is.Key == "SET-9" {
			t.Errorf("the handed-over ticket is passed on at the hand-over: %+v", r.Outgoing())
		}
	}
}
