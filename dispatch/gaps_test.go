package dispatch

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

// gapWeeks: this week (2026-03-02) full, next week with a backup who left
// and a primary who never existed, the week after without a lead, then the
// roster runs out.
var gapWeeks = []setbot.Week{
	{Starts: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Primary: "alice", Backup: "bob", Lead: "carol"},
	{Starts: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC), Primary: "ghost", Backup: "gone", Lead: "dave"},
	{Starts: time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC), Primary: "alice", Backup: "bob"},
}

func TestGapsAreReportedOnceToTheLeads(t *testing.T) {
	r := newPagingRig(t, gapWeeks...)
	r.chat.users["gone"] = setbot.User{ID: "u-gone", Username: "gone", Deleted: true}
	r.d.c.rotation.reportGaps(context.Background())
	got := r.tick(t)
	want := []string{
		"2026-03-09: the SET primary, `@ghost`, has no active Mattermost account (it does not exist or was deactivated). Fix it with `@setbot override 2026-03-09 primary @someone`.",
		"2026-03-09: the SET backup, `@gone`, has no active Mattermost account",
		"2026-03-16: nobody is the SET lead. Fix it with `@setbot override 2026-03-16 lead @someone`.",
		// 2026-03-23 is after the roster ran out: all three seats.
		"2026-03-23: nobody is the SET lead", "2026-03-23: nobody is the SET primary", "2026-03-23: nobody is the SET backup",
	}
	if len(got) != 1 {
		t.Fatalf("want one post for all gaps, got:\n%s", texts(got))
	}
	p := got[0]
	lines := gapLines(p.Text)
	if len(lines) != len(want) {
		t.Fatalf("want %d gap lines, got:\n%s", len(want), p.Text)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], "the week of "+w) {
			t.Errorf("gap %d = %q, want it to contain %q", i, lines[i], w)
		}
	}
	if p.ChannelID != "c-set" || p.RootID != "" {
		t.Errorf("report posted to %q/%q, want the SET channel", p.ChannelID, p.RootID)
	}
	// The leads who can fix it are notified: admin erin, this week's
	// lead carol, next week's lead dave.
	if !strings.HasPrefix(p.Text, "@erin @carol @dave: ") {
		t.Errorf("report is not addressed to the leads: %q", p.Text)
	}
	if live(p.Text, "ghost") || live(p.Text, "gone") {
		t.Errorf("report notifies the missing user: %q", p.Text)
	}

	// The next check (hours later, or after a restart) reports nothing again.
	r.now = r.now.Add(gapCheckEvery)
	r.d.c.rotation.reportGaps(context.Background())
	r.open(t)
	r.d.c.rotation.reportGaps(context.Background())
	if got := r.tick(t); len(got) != 0 {
		t.Fatalf("gaps reported twice:\n%s", texts(got))
	}
}

func TestGapsCheckedAtStartUpThenEveryFewHours(t *testing.T) {
	r := newPagingRig(t, gapWeeks[:1]...) // next week has nobody
	r.d.c.rotation.reportGaps(context.Background())
	if got := r.tick(t); len(got) != 1 || len(gapLines(got[0].Text)) != 9 {
		t.Fatalf("weeks 2-4 have 9 empty seats, in one post; got:\n%s", texts(got))
	}
	// An override made the current lead ghost; it shows at the next check,
	// not before.
	if err := r.db.PutOverrides([]setbot.Override{{WeekStart: "2026-03-02", Role: setbot.RoleLead, User: "ghost"}}, "erin", r.now); err != nil {
		t.Fatal(err)
	}
	r.now = r.now.Add(gapCheckEvery - time.Minute)
	r.d.c.rotation.reportGaps(context.Background())
	if got := r.tick(t); len(got) != 0 {
		t.Fatalf("checked again too soon:\n%s", texts(got))
	}
	r.now = r.now.Add(time.Minute)
	r.d.c.rotation.reportGaps(context.Background())
	got := r.tick(t)
	if len(got) != 1 || len(gapLines(got[0].Text)) != 1 || !strings.Contains(got[0].Text, "the SET lead, `@ghost`") {
		t.Fatalf("want the new gap only:\n%s", texts(got))
	}
}

func TestGapsNotGuessedWhileMattermostIsDown(t *testing.T) {
	r := newPagingRig(t, gapWeeks...)
	r.chat.lookup = setbot.Errorf(setbot.EUnavailable, "Mattermost is not answering.")
	r.d.c.rotation.reportGaps(context.Background())
	if got := r.tick(t); len(got) != 0 {
		t.Fatalf("reported gaps without knowing who exists:\n%s", texts(got))
	}
	r.chat.lookup = nil
	r.now = r.now.Add(gapRetry)
	r.d.c.rotation.reportGaps(context.Background())
	if got := r.tick(t); len(got) != 1 || len(gapLines(got[0].Text)) != 6 {
		t.Fatalf("after Mattermost came back: want 6 gaps in one post, got:\n%s", texts(got))
	}
}

func TestNoGapReportsWithoutARotation(t *testing.T) {
	r := newPagingRig(t, setbot.Week{Starts: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)})
	r.cfg.Rotation.Weeks = nil
	r.open(t)
	r.d.c.rotation.reportGaps(context.Background())
	if got := r.tick(t); len(got) != 0 {
		t.Fatalf("a setbot without a rotation reported gaps:\n%s", texts(got))
	}
}

func TestGapWithoutAnyoneToFixIt(t *testing.T) {
	r := newPagingRig(t, setbot.Week{Starts: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Primary: "alice", Backup: "bob"})
	r.cfg.Rotation.Admins = nil
	r.open(t)
	r.d.c.rotation.reportGaps(context.Background())
	got := r.tick(t)
	if len(got) == 0 || !strings.HasPrefix(got[0].Text, "Rotation leads: ") || !strings.Contains(got[0].Text, "[rotation] admins") {
		t.Fatalf("report without leads:\n%s", texts(got))
	}
}

// TestMissingAdminIsReportedOnce: an admin name, or a [jira.accounts]
// name, with no active account is reported once, like a gap.
func TestMissingAdminIsReportedOnce(t *testing.T) {
	r := newPagingRig(t)
	r.cfg.Rotation.Admins = []setbot.Username{"erin", "ghostadmin"}
	r.open(t)
	r.d.c.ext.JiraAccounts = []setbot.Username{"alice", "ghostaccount"}
	r.d.c.rotation.reportGaps(context.Background())
	got := r.tick(t)
	var admin []string
	for _, p := range got {
		if strings.Contains(p.Text, "rotation admin") {
			admin = append(admin, p.Text)
		}
	}
	if len(admin) != 1 || !strings.Contains(admin[0], "`@ghostadmin`") || live(admin[0], "ghostadmin") {
		t.Fatalf("admin reports: %q", admin)
	}
	var account []string
	for _, p := range got {
		if strings.Contains(p.Text, "Jira account") {
			account = append(account, p.Text)
		}
	}
	if len(account) != 1 || !strings.Contains(account[0], "`@ghostaccount`") {
		t.Fatalf("[jira.accounts] reports: %q", account)
	}
	r.now = r.now.Add(gapCheckEvery)
	r.d.c.rotation.reportGaps(context.Background())
	for _, p := range r.tick(t) {
		if strings.Contains(p.Text, "rotation admin") {
			t.Fatalf("reported twice: %q", p.Text)
		}
	}
}

// gapLines are the listed gaps of one gap report.
func gapLines(text string) []string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "- the week of ") {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestRotationListsEightWeeksWithSources: "@setbot rotation" shows the
// next 8 weeks and, for each seat, the week entry, the pattern or the
// override (and who made it) it comes from.
func TestRotationListsEightWeeksWithSources(t *testing.T) {
	r := newPagingRig(t)
	r.cfg.Rotation.Pattern = &setbot.Pattern{Members: []setbot.Username{"dan", "eve", "fay"},
		Leads: []setbot.Username{"gus"}, Starts: rigMonday, LeadWeeks: 1}
	r.open(t)
	if err := r.db.PutOverrides([]setbot.Override{{WeekStart: "2026-03-16", Role: setbot.RoleBackup, User: "zoe"}}, "erin", r.now); err != nil {
		t.Fatal(err)
	}
	r.post("sam", "c-ask", "", "rotation")
	got := r.tick(t)
	if len(got) != 1 {
		t.Fatalf("want one answer, got:\n%s", texts(got))
	}
	var weeks []string
	for _, l := range strings.Split(got[0].Text, "\n") {
		if strings.HasPrefix(l, "- ") {
			weeks = append(weeks, l)
		}
	}
	if len(weeks) != 8 {
		t.Fatalf("want 8 weeks, got:\n%s", got[0].Text)
	}
	for i, want := range []string{
		"- 2026-03-02: lead `@carol` (week entry) · primary `@alice` (week entry) · backup `@bob` (week entry)",
		"- 2026-03-09: lead `@gus` (pattern) · primary `@eve` (pattern) · backup `@fay` (pattern)",
		"- 2026-03-16: lead `@gus` (pattern) · primary `@fay` (pattern) · backup `@zoe` (override by `@erin`)",
	} {
		if weeks[i] != want {
			t.Errorf("week %d:\n got %s\nwant %s", i, weeks[i], want)
		}
	}
	if !strings.HasPrefix(weeks[7], "- 2026-04-20: ") {
		t.Errorf("the eighth week: %s", weeks[7])
	}
}
