package setbot_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

var (
	pgT0    = time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	pgAck   = 15 * time.Minute
	pgShift = setbot.Shift{Primary: "ann", Backup: "bob", Lead: "lee"}
)

// paged is a page that reached step s at when, with pgShift's people.
func paged(s setbot.PageStep, when time.Time) setbot.Page {
	p := setbot.Page{ID: "p1", Text: "checkout is down", Created: pgT0}
	for i := setbot.StepPrimary; i <= min(s, setbot.StepLead); i++ {
		p.Targets[i-1] = pgShift.Who(i.Role())
	}
	p.Step, p.SteppedAt = s, when
	return p
}

func TestNextPageStepTable(t *testing.T) {
	acked := paged(setbot.StepPrimary, pgT0)
	acked.AckedBy, acked.AckedAt = "ann", pgT0.Add(time.Minute)
	cases := []struct {
		name   string
		page   setbot.Page
		on     setbot.Shift
		now    time.Time
		step   setbot.PageStep
		target setbot.Username
		due    time.Time
		reason setbot.PageReason
	}{
		{"new page pages the primary", paged(setbot.StepNone, time.Time{}), pgShift, pgT0, setbot.StepPrimary, "ann", pgT0.Add(pgAck), setbot.ReasonFirstPage},
		{"primary still has time", paged(setbot.StepPrimary, pgT0), pgShift, pgT0.Add(pgAck - time.Second), 0, "", pgT0.Add(pgAck), setbot.ReasonWaiting},
		{"primary timed out: backup", paged(setbot.StepPrimary, pgT0), pgShift, pgT0.Add(pgAck), setbot.StepBackup, "bob", pgT0.Add(2 * pgAck), setbot.ReasonAckTimeoutBackup},
		{"backup still has time", paged(setbot.StepBackup, pgT0.Add(pgAck)), pgShift, pgT0.Add(pgAck + time.Minute), 0, "", pgT0.Add(2 * pgAck), setbot.ReasonWaiting},
		{"backup timed out: lead", paged(setbot.StepBackup, pgT0.Add(pgAck)), pgShift, pgT0.Add(3 * pgAck), setbot.StepLead, "lee", pgT0.Add(4 * pgAck), setbot.ReasonAckTimeoutLead},
		{"lead timed out: round 1, everyone", paged(setbot.StepLead, pgT0), pgShift, pgT0.Add(10 * pgAck), setbot.StepRound1, "", pgT0.Add(11 * pgAck), setbot.ReasonRound},
		{"round 2 still has time", paged(setbot.StepRound2, pgT0), pgShift, pgT0.Add(pgAck - time.Second), 0, "", pgT0.Add(pgAck), setbot.ReasonWaiting},
		{"round 3 timed out: give up", paged(setbot.StepRound3, pgT0), pgShift, pgT0.Add(pgAck), setbot.StepGiveUp, "", time.Time{}, setbot.ReasonGiveUp},
		{"given up: ladder done", paged(setbot.StepGiveUp, pgT0), pgShift, pgT0.Add(10 * pgAck), 0, "", time.Time{}, setbot.ReasonLadderDone},
		{"acked stops the ladder", acked, pgShift, pgT0.Add(10 * pgAck), 0, "", time.Time{}, setbot.ReasonAcked},
		{"no primary: first page to backup", paged(setbot.StepNone, time.Time{}), setbot.Shift{Backup: "bob", Lead: "lee"}, pgT0, setbot.StepBackup, "bob", pgT0.Add(pgAck), setbot.ReasonFirstPage},
		{"no backup: timeout goes to lead", paged(setbot.StepPrimary, pgT0), setbot.Shift{Primary: "ann", Lead: "lee"}, pgT0.Add(pgAck), setbot.StepLead, "lee", pgT0.Add(2 * pgAck), setbot.ReasonAckTimeoutLead},
		{"backup is the primary: skipped", paged(setbot.StepPrimary, pgT0), setbot.Shift{Primary: "ann", Backup: "ann", Lead: "lee"}, pgT0.Add(pgAck), setbot.StepLead, "lee", pgT0.Add(2 * pgAck), setbot.ReasonAckTimeoutLead},
		{"nobody else: rounds of the primary alone", paged(setbot.StepPrimary, pgT0), setbot.Shift{Primary: "ann"}, pgT0.Add(pgAck), setbot.StepRound1, "", pgT0.Add(2 * pgAck), setbot.ReasonRound},
		{"empty roster", paged(setbot.StepNone, time.Time{}), setbot.Shift{}, pgT0, 0, "", time.Time{}, setbot.ReasonNobodyToPage},
		{"new week's backup is paged", paged(setbot.StepPrimary, pgT0), setbot.Shift{Primary: "cat", Backup: "dan", Lead: "ned"}, pgT0.Add(pgAck), setbot.StepBackup, "dan", pgT0.Add(2 * pgAck), setbot.ReasonAckTimeoutBackup},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := setbot.NextPageStep(c.page, c.on, pgAck, c.now)
			want := setbot.PageDecision{Step: c.step, Target: c.target, Due: c.due, Reason: c.reason}
			if c.reason == setbot.ReasonRound {
				want.All = c.on.Everyone()
			}
			if fmt.Sprintf("%+v", d) != fmt.Sprintf("%+v", want) {
				t.Fatalf("NextPageStep = %+v (%v)\n                  want %+v (%v)", d, d.Reason, want, want.Reason)
			}
		})
	}
}

func TestNextPageStepDefaultAckWithin(t *testing.T) {
	d := setbot.NextPageStep(paged(setbot.StepPrimary, pgT0), pgShift, 0, pgT0)
	if d.Due != pgT0.Add(setbot.DefaultAckWithin) {
		t.Errorf("with ack_within unset, due %v, want %v", d.Due, pgT0.Add(setbot.DefaultAckWithin))
	}
}

// ladder runs a page with a fake clock that jumps to each due time, and
// returns who was paged when. ackAt, when not zero, is when ackBy acknowledges.
func ladder(t *testing.T, p setbot.Page, ackAt time.Time, ackBy setbot.Username) (setbot.Page, []string) {
	t.Helper()
	var log []string
	now := pgT0
	for range 10 {
		if !ackAt.IsZero() && !now.Before(ackAt) {
			p, _ = p.Ack(ackBy, ackAt)
		}
		d := setbot.NextPageStep(p, pgShift, pgAck, now)
		if d.Step != setbot.StepNone {
			var ok bool
			if p, ok = p.Advance(d, now); !ok {
				t.Fatalf("Advance refused a fresh decision %+v", d)
			}
			who := string(d.Target)
			if who == "" {
				who = d.Step.String()
			}
			log = append(log, now.Sub(pgT0).String()+" "+who)
		}
		if d.Due.IsZero() {
			return p, log
		}
		now = d.Due
		if !ackAt.IsZero() && ackAt.Before(now) {
			now = ackAt
		}
	}
	t.Fatal("the ladder did not end")
	return p, nil
}

func TestLadderWithFakeClock(t *testing.T) {
	start := setbot.Page{ID: "p1", Text: "checkout is down", Created: pgT0}
	cases := []struct {
		name  string
		ackAt time.Time
		ackBy setbot.Username
		want  string
	}{
		{"acked by the primary", pgT0.Add(5 * time.Minute), "ann", "0s ann"},
		{"escalated to backup, who acks", pgT0.Add(20 * time.Minute), "bob", "0s ann|15m0s bob"},
		{"nobody acks: the lead, three rounds, then give up", time.Time{}, "", "0s ann|15m0s bob|30m0s lee|45m0s round 1|1h0m0s round 2|1h15m0s round 3|1h30m0s give up"},
		{"acked in round 2", pgT0.Add(65 * time.Minute), "bob", "0s ann|15m0s bob|30m0s lee|45m0s round 1|1h0m0s round 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, log := ladder(t, start, c.ackAt, c.ackBy)
			if got := strings.Join(log, "|"); got != c.want {
				t.Errorf("pages %q, want %q", got, c.want)
			}
			if p.AckedBy != c.ackBy {
				t.Errorf("acked by %q, want %q", p.AckedBy, c.ackBy)
			}
		})
	}
}

func TestLadderRestartedMidway(t *testing.T) {
	// Before the restart: the primary was paged at pgT0.
	stored, _ := setbot.Page{ID: "p1", Created: pgT0}.Advance(setbot.NextPageStep(setbot.Page{ID: "p1", Created: pgT0}, pgShift, pgAck, pgT0), pgT0)

	// The process was down for 40 minutes. On start-up the stored page says
	// the backup is due now (not the primary again, not the lead yet).
	restart := pgT0.Add(40 * time.Minute)
	d := setbot.NextPageStep(stored, pgShift, pgAck, restart)
	if d.Step != setbot.StepBackup || d.Reason != setbot.ReasonAckTimeoutBackup {
		t.Fatalf("after restart: %+v, want the backup", d)
	}
	// Two workers decided the same from the same stored page: only the first
	// advance counts, so the backup is paged once.
	after, ok := stored.Advance(d, restart)
	if !ok {
		t.Fatal("first advance refused")
	}
	if _, again := after.Advance(d, restart); again {
		t.Fatal("the same step was taken twice")
	}
	// The lead's turn is ack_within after the backup was paged, not after
	// the primary was.
	if d := setbot.NextPageStep(after, pgShift, pgAck, restart.Add(pgAck-time.Second)); d.Reason != setbot.ReasonWaiting || d.Due != restart.Add(pgAck) {
		t.Errorf("just before the lead's turn: %+v", d)
	}
}

func TestAckFirstWins(t *testing.T) {
	p := paged(setbot.StepPrimary, pgT0)
	p, ok := p.Ack("bob", pgT0.Add(time.Minute))
	if !ok {
		t.Fatal("first pgAck refused")
	}
	if q, ok := p.Ack("ann", pgT0.Add(2*time.Minute)); ok || q.AckedBy != "bob" {
		t.Errorf("second ack: ok %v, acked by %q", ok, q.AckedBy)
	}
	if _, ok := p.Advance(setbot.PageDecision{Step: setbot.StepBackup, Target: "bob"}, pgT0); ok {
		t.Error("an acknowledged page advanced")
	}
	text := setbot.AckText(p, time.UTC)
	if !strings.Contains(text, "@bob") || !strings.Contains(text, "2026-11-25 14:01 UTC") || !strings.Contains(text, "1m0s after") {
		t.Errorf("AckText = %q", text)
	}
}

func TestPageToAck(t *testing.T) {
	a := setbot.Page{ID: "a", Root: "ra", Created: pgT0, Targets: [3]setbot.Username{"ann"}}
	b := setbot.Page{ID: "b", Root: "rb", Created: pgT0.Add(time.Minute), Targets: [3]setbot.Username{"cat", "ann"}}
	done := setbot.Page{ID: "c", Root: "rc", Created: pgT0.Add(time.Hour), AckedBy: "x", Targets: [3]setbot.Username{"zed"}}
	open := []setbot.Page{a, b, done}
	for _, c := range []struct {
		user   setbot.Username
		thread setbot.PostID
		want   string
	}{
		{"zed", "ra", "a"},   // the thread decides (whether zed may is the caller's check)
		{"cat", "", "b"},     // the page that paged cat
		{"ann", "", "b a"},   // both pages paged ann: newest first, to ask which
		{"zed", "", ""},      // never the newest page for someone it did not page
		{"zed", "rc", ""},    // an acknowledged page is never chosen
		{"ann", "rx", "b a"}, // a thread without a page: the pages that paged ann
	} {
		got := setbot.PageToAck(open, c.thread, func(u setbot.Username) bool { return u == c.user })
		var ids []string
		for _, p := range got {
			ids = append(ids, p.ID)
		}
		if strings.Join(ids, " ") != c.want {
			t.Errorf("PageToAck(%s, %s) = %q, want %q", c.user, c.thread, ids, c.want)
		}
	}
}

func TestPageHook(t *testing.T) {
	p := paged(setbot.StepPrimary, pgT0)
	p.Issue = "SET-7"
	d := setbot.NextPageStep(p, pgShift, pgAck, pgT0.Add(pgAck))
	b, err := json.Marshal(setbot.StepHook(p, d, pgT0.Add(pgAck)))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"page_id":"p1","event":"page","step":"backup","target":"bob","reason":"not acknowledged in time, paging the backup","text":"checkout is down","issue":"SET-7","at":"2026-11-25T14:15:00Z"}`
	if string(b) != want {
		t.Errorf("hook JSON\n got %s\nwant %s", b, want)
	}
	acked, _ := p.Ack("bob", pgT0.Add(20*time.Minute))
	b, _ = json.Marshal(setbot.AckHook(acked))
	if want := `{"page_id":"p1","event":"ack","text":"checkout is down","issue":"SET-7","acked_by":"bob","at":"2026-11-25T14:20:00Z"}`; string(b) != want {
		t.Errorf("ack hook JSON\n got %s\nwant %s", b, want)
	}
	if btn := setbot.AckButton(p); btn.Action != "page:ack:p1" || btn.Label != "Acknowledge" {
		t.Errorf("AckButton = %+v", btn)
	}
}

func TestAutoPage(t *testing.T) {
	for _, c := range []struct {
		p      setbot.Priority
		alsoL2 bool
		want   bool
	}{{setbot.L1, false, true}, {setbot.L2, false, false}, {setbot.L2, true, true}, {setbot.L3, true, false}, {setbot.PriorityUnset, true, false}} {
		if got := setbot.AutoPage(c.p, c.alsoL2); got != c.want {
			t.Errorf("AutoPage(%v, %v) = %v", c.p, c.alsoL2, got)
		}
	}
}

func TestPageReasonStrings(t *testing.T) {
	seen := map[string]bool{}
	for r := setbot.ReasonWaiting; r <= setbot.ReasonNobodyToPage; r++ {
		s := r.String()
		if s == "" || strings.HasPrefix(s, "PageReason(") || seen[s] {
			t.Errorf("reason %d has name %q", int(r), s)
		}
		seen[s] = true
	}
	if got := setbot.PageReason(99).String(); got != "PageReason(99)" {
		t.Errorf("unknown reason = %q", got)
	}
}
