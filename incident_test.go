package setbot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

var (
	incT0  = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) // tracking starts
	incDay = 24 * time.Hour
	// L1 every 12h, L2 the default 24h; the lead after 4h more.
	incPolicy = setbot.NagPolicy{Every: map[setbot.Priority]time.Duration{setbot.L1: 12 * time.Hour}, Grace: 4 * time.Hour}
)

func h(n float64) time.Duration { return time.Duration(n * float64(time.Hour)) }

func TestRemindNowTable(t *testing.T) {
	l2 := setbot.Incident{Key: "SET-1", Priority: setbot.L2, Opened: incT0}
	with := func(f func(*setbot.Incident)) setbot.Incident { in := l2; f(&in); return in }
	cases := []struct {
		name        string
		in          setbot.Incident
		now         time.Time
		remind      bool
		mentionLead bool
		reason      setbot.NagReason
		next        time.Time
	}{
		{"just tracked", l2, incT0.Add(h(1)), false, false, setbot.NagNotDue, incT0.Add(incDay)},
		{"first reminder at the interval", l2, incT0.Add(incDay), true, false, setbot.NagFirstReminder, incT0.Add(incDay + h(4))},
		{"L1 uses its own interval", with(func(in *setbot.Incident) { in.Priority = setbot.L1 }), incT0.Add(h(12)), true, false, setbot.NagFirstReminder, incT0.Add(h(16))},
		{"updated recently", with(func(in *setbot.Incident) { in.LastUpdate = incT0.Add(h(20)) }), incT0.Add(incDay), false, false, setbot.NagUpToDate, incT0.Add(h(44))},
		{"update after the reminder starts over", with(func(in *setbot.Incident) {
			in.LastReminder, in.Reminders, in.LastUpdate = incT0.Add(incDay), 1, incT0.Add(h(25))
		}), incT0.Add(h(30)), false, false, setbot.NagUpToDate, incT0.Add(h(49))},
		{"reminded: waits for the lead's turn", with(func(in *setbot.Incident) { in.LastReminder, in.Reminders = incT0.Add(incDay), 1 }), incT0.Add(h(26)), false, false, setbot.NagWaitingRepeat, incT0.Add(h(28))},
		{"escalated to the lead after grace", with(func(in *setbot.Incident) { in.LastReminder, in.Reminders = incT0.Add(incDay), 1 }), incT0.Add(h(28)), true, true, setbot.NagEscalateLead, incT0.Add(h(52))},
		{"escalated: waits a whole interval", with(func(in *setbot.Incident) {
			in.LastReminder, in.Reminders, in.EscalatedAt = incT0.Add(h(28)), 2, incT0.Add(h(28))
		}), incT0.Add(h(40)), false, false, setbot.NagWaitingRepeat, incT0.Add(h(52))},
		{"repeat keeps the lead", with(func(in *setbot.Incident) {
			in.LastReminder, in.Reminders, in.EscalatedAt = incT0.Add(h(28)), 2, incT0.Add(h(28))
		}), incT0.Add(h(52)), true, true, setbot.NagRepeat, incT0.Add(h(76))},
		{"repeat without a grace period never adds the lead", with(func(in *setbot.Incident) { in.LastReminder, in.Reminders = incT0.Add(incDay), 1 }), incT0.Add(h(48)), true, false, setbot.NagRepeat, incT0.Add(h(72))},
		{"snoozed", with(func(in *setbot.Incident) {
			in.LastReminder, in.Reminders, in.SnoozedUntil = incT0.Add(incDay), 1, incT0.Add(h(28.5))
		}), incT0.Add(h(28)), false, false, setbot.NagSnoozed, incT0.Add(h(28.5))},
		{"snooze over, grace over too", with(func(in *setbot.Incident) {
			in.LastReminder, in.Reminders, in.SnoozedUntil = incT0.Add(incDay), 1, incT0.Add(h(28.5))
		}), incT0.Add(h(28.5)), true, true, setbot.NagEscalateLead, incT0.Add(h(52.5))},
		{"short snooze over, still within grace", with(func(in *setbot.Incident) {
			in.LastReminder, in.Reminders, in.SnoozedUntil = incT0.Add(incDay), 1, incT0.Add(h(25))
		}), incT0.Add(h(25)), true, false, setbot.NagSnoozeEnded, incT0.Add(h(28))},
		{"snooze before due does not nag early", with(func(in *setbot.Incident) { in.SnoozedUntil = incT0.Add(h(4)) }), incT0.Add(h(5)), false, false, setbot.NagNotDue, incT0.Add(incDay)},
		{"resolved", with(func(in *setbot.Incident) { in.Resolved = true }), incT0.Add(30 * incDay), false, false, setbot.NagResolved, time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := incPolicy
			if strings.Contains(c.name, "without a grace") {
				p.Grace = 0
			}
			got := setbot.RemindNow(c.in, p, c.now)
			want := setbot.Nag{Remind: c.remind, MentionLead: c.mentionLead, Reason: c.reason, Next: c.next}
			if got != want {
				t.Fatalf("RemindNow at +%v\n got %+v (%v)\nwant %+v (%v)", c.now.Sub(incT0), got, got.Reason, want, want.Reason)
			}
		})
	}
}

// nagLoop runs reminders for one incident with a fake clock that jumps to
// each Next, applying events (update, snooze) at their times, until end. It
// returns the reminders as "+HOURS reason [lead]".
func nagLoop(in setbot.Incident, events map[time.Duration]func(*setbot.Incident, time.Time), end time.Duration) []string {
	var log []string
	now := incT0
	for range 100 {
		for at, ev := range events {
			if !now.Before(incT0.Add(at)) {
				ev(&in, incT0.Add(at))
				delete(events, at)
			}
		}
		n := setbot.RemindNow(in, incPolicy, now)
		if n.Remind {
			line := fmt.Sprintf("+%vh %v", now.Sub(incT0).Hours(), n.Reason)
			if n.MentionLead {
				line += " [lead]"
			}
			log = append(log, line)
			in, _ = in.Reminded(n, now)
			continue // decide again at the same instant: must not repeat
		}
		if n.Next.IsZero() {
			return log
		}
		now = n.Next
		for at := range events {
			if t := incT0.Add(at); t.Before(now) {
				now = t
			}
		}
		if now.After(incT0.Add(end)) {
			return log
		}
	}
	return append(log, "loop did not settle")
}

func TestNagScenarios(t *testing.T) {
	l2 := setbot.Incident{Key: "SET-1", Priority: setbot.L2, Opened: incT0}
	update := func(in *setbot.Incident, at time.Time) { *in, _ = in.Updated(at) }
	snooze := func(d time.Duration) func(*setbot.Incident, time.Time) {
		return func(in *setbot.Incident, at time.Time) { *in = in.Snoozed(at.Add(d)) }
	}
	resolve := func(in *setbot.Incident, at time.Time) { *in, _ = in.Resolve(at) }
	cases := []struct {
		name   string
		events map[time.Duration]func(*setbot.Incident, time.Time)
		want   string
	}{
		{"nobody answers", nil,
			"+24h first reminder|+28h grace period over, mentioning the lead [lead]|+52h repeat reminder [lead]|+76h repeat reminder [lead]"},
		{"update after the first reminder", map[time.Duration]func(*setbot.Incident, time.Time){h(25): update},
			"+24h first reminder|+49h first reminder|+53h grace period over, mentioning the lead [lead]|+77h repeat reminder [lead]"},
		{"snoozed 1h, then updated", map[time.Duration]func(*setbot.Incident, time.Time){h(24.5): snooze(time.Hour), h(25): update},
			"+24h first reminder|+49h first reminder|+53h grace period over, mentioning the lead [lead]|+77h repeat reminder [lead]"},
		{"snoozed 1h, nothing", map[time.Duration]func(*setbot.Incident, time.Time){h(24.5): snooze(time.Hour)},
			"+24h first reminder|+25.5h snooze ended|+28h grace period over, mentioning the lead [lead]|+52h repeat reminder [lead]|+76h repeat reminder [lead]"},
		{"snoozed 4h holds the lead back", map[time.Duration]func(*setbot.Incident, time.Time){h(27): snooze(4 * time.Hour)},
			"+24h first reminder|+31h grace period over, mentioning the lead [lead]|+55h repeat reminder [lead]|+79h repeat reminder [lead]"},
		{"resolved", map[time.Duration]func(*setbot.Incident, time.Time){h(26): resolve},
			"+24h first reminder"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.events == nil {
				c.events = map[time.Duration]func(*setbot.Incident, time.Time){}
			}
			got := strings.Join(nagLoop(l2, c.events, h(80)), "|")
			if got != c.want {
				t.Errorf("reminders\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestNagRestartInBetween(t *testing.T) {
	in := setbot.Incident{Key: "SET-1", Priority: setbot.L2, Opened: incT0}
	// The first reminder went out at +24h and was recorded; then the process
	// was down until +27h. Restarting, it neither repeats the first reminder
	// nor skips the lead's turn at +28h.
	n := setbot.RemindNow(in, incPolicy, incT0.Add(incDay))
	in, ok := in.Reminded(n, incT0.Add(incDay))
	if !ok || in.Reminders != 1 {
		t.Fatalf("Reminded = %+v %v", in, ok)
	}
	if got := setbot.RemindNow(in, incPolicy, incT0.Add(h(27))); got.Remind || got.Next != incT0.Add(h(28)) {
		t.Errorf("at +27h after restart: %+v, want nothing until +28h", got)
	}
	// Down past the lead's turn: the lead is mentioned once when it comes back.
	got := setbot.RemindNow(in, incPolicy, incT0.Add(h(40)))
	if !got.Remind || got.Reason != setbot.NagEscalateLead {
		t.Fatalf("at +40h after restart: %+v, want the lead", got)
	}
	in, _ = in.Reminded(got, incT0.Add(h(40)))
	if again := setbot.RemindNow(in, incPolicy, incT0.Add(h(40))); again.Remind {
		t.Errorf("decided again at the same time: %+v", again)
	}
	// Down for days: one reminder on return, not one per missed interval.
	long := setbot.Incident{Key: "SET-2", Priority: setbot.L2, Opened: incT0}
	first := setbot.RemindNow(long, incPolicy, incT0.Add(5*incDay))
	long, _ = long.Reminded(first, incT0.Add(5*incDay))
	if first.Reason != setbot.NagEscalateLead || setbot.RemindNow(long, incPolicy, incT0.Add(5*incDay+time.Minute)).Remind {
		t.Errorf("after a long outage: %+v, then again", first)
	}
}

func TestIncidentTransitions(t *testing.T) {
	in := setbot.Incident{Key: "SET-1", Opened: incT0, LastUpdate: incT0.Add(h(5))}
	if _, ok := in.Updated(incT0.Add(h(4))); ok {
		t.Error("an older update moved LastUpdate back")
	}
	if got, ok := in.Updated(incT0.Add(h(6))); !ok || !got.LastUpdate.Equal(incT0.Add(h(6))) {
		t.Error("a newer update was not recorded")
	}
	if _, ok := in.Reminded(setbot.Nag{}, incT0); ok {
		t.Error("Reminded recorded a reminder nobody asked for")
	}
	res, ok := in.Resolve(incT0)
	if !ok || !res.Resolved {
		t.Fatal("Resolve")
	}
	if _, ok := res.Resolve(incT0); ok {
		t.Error("resolved twice")
	}
	if _, ok := res.Reminded(setbot.Nag{Remind: true}, incT0); ok {
		t.Error("a resolved incident was reminded")
	}
	if in.Mention("prim") != "prim" || (setbot.Incident{Owner: "own"}).Mention("prim") != "own" {
		t.Error("Mention")
	}
}

func TestSnoozeButtons(t *testing.T) {
	bs := setbot.SnoozeButtons("SET-12")
	if len(bs) != 2 || bs[0].Label != "Snooze 1h" || bs[1].Label != "Snooze 4h" {
		t.Fatalf("buttons %+v", bs)
	}
	for i, want := range []time.Duration{time.Hour, 4 * time.Hour} {
		key, d, ok := setbot.ParseSnoozeAction(bs[i].Action)
		if !ok || key != "SET-12" || d != want {
			t.Errorf("ParseSnoozeAction(%q) = %q %v %v", bs[i].Action, key, d, ok)
		}
	}
	for _, bad := range []string{"ack:x", "snooze:SET-1:999h", "snooze::1h0m0s", "snooze:SET-1", "snooze:SET-1:x"} {
		if _, _, ok := setbot.ParseSnoozeAction(bad); ok {
			t.Errorf("ParseSnoozeAction(%q) accepted", bad)
		}
	}
}

func TestReminderTextAndList(t *testing.T) {
	in := setbot.Incident{Key: "SET-9", Priority: setbot.L1, Opened: incT0, LastUpdate: incT0.Add(h(1)), Title: "login fails"}
	now := incT0.Add(h(27.5))
	text := setbot.ReminderText(in, setbot.Nag{Remind: true, MentionLead: true}, "ann", "lee", now)
	for _, want := range []string{"@ann @lee ", "SET-9 (L1)", "for 1d 2h", "`@setbot update SET-9 <what changed, what is next>`", "SET lead"} {
		if !strings.Contains(text, want) {
			t.Errorf("ReminderText lacks %q:\n%s", want, text)
		}
	}
	if text := setbot.ReminderText(in, setbot.Nag{Remind: true}, "ann", "lee", now); strings.Contains(text, "@lee") {
		t.Errorf("the lead is mentioned without MentionLead:\n%s", text)
	}
	line := setbot.IncidentLine(in, now)
	if line != "SET-9 (L1) — last update 1d 2h ago, owner: SET primary — login fails" {
		t.Errorf("IncidentLine = %q", line)
	}
	for d, want := range map[time.Duration]string{30 * time.Second: "less than a minute", 45 * time.Minute: "45m", h(3): "3h", h(3) + 20*time.Minute: "3h 20m", 48 * time.Hour: "2d"} {
		if got := setbot.FormatAge(d); got != want {
			t.Errorf("FormatAge(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestNagReasonStrings(t *testing.T) {
	seen := map[string]bool{}
	for r := setbot.NagNotDue; r <= setbot.NagEscalateLead; r++ {
		if s := r.String(); s == "" || strings.HasPrefix(s, "NagReason(") || seen[s] {
			t.Errorf("reason %d has name %q", int(r), s)
		} else {
			seen[s] = true
		}
	}
}

// BenchmarkRemindNow10k decides for 10,000 open incidents in varied states
// (fresh, updated, reminded, snoozed, escalated); one op is all 10,000.
func BenchmarkRemindNow10k(b *testing.B) {
	const n = 10000
	ins := make([]setbot.Incident, n)
	for i := range ins {
		in := setbot.Incident{Key: setbot.IssueKey(fmt.Sprintf("SET-%d", i)), Priority: setbot.Priority(1 + i%2), Opened: incT0.Add(-time.Duration(i) * time.Minute)}
		switch i % 5 {
		case 1:
			in.LastUpdate = incT0.Add(-h(3))
		case 2:
			in.LastReminder, in.Reminders = incT0.Add(-h(1)), 1
		case 3:
			in.LastReminder, in.SnoozedUntil = incT0.Add(-h(30)), incT0.Add(h(1))
		case 4:
			in.LastReminder, in.EscalatedAt, in.Reminders = incT0.Add(-h(50)), incT0.Add(-h(50)), 3
		}
		ins[i] = in
	}
	now := incT0.Add(h(20))
	due := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		due = 0
		for i := range ins {
			if setbot.RemindNow(ins[i], incPolicy, now).Remind {
				due++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/incident")
	if due == 0 || due == n {
		b.Fatalf("%d of %d due: the states are not varied", due, n)
	}
}
