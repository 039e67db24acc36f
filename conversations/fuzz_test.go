package conversations

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
	"github.com/setbot/setbot/artifacts/artifactstest"
)

var fuzzTexts = []string{
	"new", "ticket", "yes", "no", "ok", "done", "skip", "back", "status", "cancel", "help", "confirm",
	"edit logs", "edit config", "edit version", "edit symptom", "edit details", "edit profile", "edit nonsense",
	"Login fails with 500 for LDAP users on 10.11.4 with PostgreSQL 14", "server: POST /api/v4/users/login",
	"it's slow", "Acme, 50 users", "Acme", "LDAP users cannot log in", "bug", "feature request", "question",
	"L1", "L4", "urgent", "10.11.4", "v9.5", "ten", "postgres", "13", "MySQL 8.0.32", "not available",
	"not available: policy", "high cpu", "memory", "stuck", "none", "@channel **x** `y` [z](w)", "",
	strings.Repeat("long text @here ", 3000), "add SET-7", "add SET-99", "new",
}

var fuzzActions = []string{
	"intake:start", "intake:dismiss", "intake:keep", "intake:type:bug", "intake:type:feature", "intake:type:nope",
	"intake:priority:L2", "intake:priority:L4", "intake:priority:L9", "intake:symptom:cpu", "intake:symptom:none",
	"intake:done", "intake:packet:yes", "intake:packet:no", "intake:confirm", "intake:cancel", "intake:skip", "other:x", "intake:",
	"intake:add:SET-7", "intake:add:SET-99",
}

var (
	poolOnce sync.Once
	pool     [][]artifacts.Checked
)

// filePool is a few real checked uploads, good and bad.
func filePool(t testing.TB) [][]artifacts.Checked {
	poolOnce.Do(func() {
		cpu, err := artifactstest.CPUProfile()
		if err != nil {
			t.Fatal(err)
		}
		packet, err := artifactstest.SupportPacket([]byte(artifactstest.SmallConfig))
		if err != nil {
			t.Fatal(err)
		}
		pool = [][]artifacts.Checked{
			{check("config.json", []byte(artifactstest.SmallConfig))},
			{check("mattermost.log", artifactstest.JSONLog(5))},
			{check("cpu.pprof", cpu)},
			{check("heap.pprof", artifactstest.HeapProfile())},
			{check("goroutines.txt", artifactstest.GoroutineDump())},
			{check("cpu.pprof", artifactstest.PNG())},
			{check("packet.zip", packet)},
			{check("a.log", artifactstest.PlainLog(2)), check("settings.json", []byte(`{"a":1}`))},
		}
	})
	return pool
}

// collectedFields names what an intake holds, to check nothing is lost.
func collectedFields(in setbot.Intake) map[string]bool {
	return map[string]bool{
		"summary": in.Summary != "", "description": in.Description != "", "affected": in.Affected != "",
		"customer": in.Customer != "", "impact": in.Impact != "", "priority": in.Priority.Valid(),
		"type": in.Type != setbot.TypeUnset, "version": in.Version != "", "database": in.Database.Type != "",
		"config": in.Config != nil || in.NoConfig != "", "logs": len(in.Logs) > 0 || in.NoLogs != "",
		"profiles": len(in.Profiles) > 0 || in.NoProfile != "", "packet": in.Packet != nil,
	}
}

// mayDrop reports whether input in may empty collected fields of s.
func mayDrop(s State, in Input) bool {
	text := strings.ToLower(strings.TrimSpace(in.Text))
	switch {
	case in.Kind == Tick || in.Kind == Filed || in.Kind == Added:
		return true // expiry, or the ticket is filed or added to
	case in.Kind == Start && s.Phase == PhaseOffered:
		return true // a new intake replaces an offer not taken
	case strings.HasPrefix(text, "edit"):
		return true // edit of a file item starts it over
	case in.Action == "intake:cancel" || text == "cancel":
		return true
	case s.Phase == PhaseOffered && (in.Action == "intake:dismiss" || isNo(text)):
		return true
	case s.PacketPending && (in.Action == "intake:packet:no" || isNo(text)):
		return true
	}
	return false
}

func FuzzStep(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7})
	f.Add([]byte{0, 12, 2, 0, 3, 20, 0, 22, 0, 24, 0, 27, 0, 30, 0, 33, 0, 36, 1, 0, 1, 1, 0, 6, 0, 11, 7, 0, 5})
	f.Add([]byte{4, 0, 1, 6, 0, 2, 0, 11, 3, 9, 3, 30, 3, 30})
	f.Fuzz(func(t *testing.T, data []byte) {
		files := filePool(t)
		now := t0
		var s State
		var saved []byte
		next := func() int {
			if len(data) == 0 {
				return 0
			}
			b := int(data[0])
			data = data[1:]
			return b
		}
		for steps := 0; len(data) > 0 && steps < 200; steps++ {
			in := Input{User: alice, Username: aliceN}
			switch next() % 10 {
			case 0:
				in.Kind, in.Text = Text, fuzzTexts[next()%len(fuzzTexts)]
			case 1:
				in.Kind, in.Files = Files, files[next()%len(files)]
			case 2:
				in.Kind, in.Action = Click, fuzzActions[next()%len(fuzzActions)]
				if next()%4 != 0 { // mostly the current intake's buttons, sometimes stale ones
					in.Action = tagged(in.Action, s)
				}
			case 3:
				in.Kind = Tick
				now = now.Add(time.Duration(next()) * time.Hour / 4)
			case 4:
				in.Kind, in.Prefill, in.Origin, in.OriginRoot = Start, fuzzTexts[next()%len(fuzzTexts)], setChan, rootPost
			case 5:
				in.Kind, in.Issue = Filed, setbot.Issue{Key: "SET-1", URL: "https://jira.example.com/browse/SET-1"}
			case 6:
				in.Kind, in.Reason = FilingFailed, "Jira said no."
			case 8:
				in.Kind, in.Issues = SimilarFound, []setbot.Issue{{Key: "SET-7", URL: "https://jira.example.com/browse/SET-7", Summary: "@here x"}}[:next()%2]
			case 9:
				in.Kind, in.Issue = Added, setbot.Issue{Key: "SET-7", URL: "https://jira.example.com/browse/SET-7"}
			case 7:
				k := next() % 64
				n := min(len(data), k)
				in.Kind, in.Text = Text, string(data[:n])
				data = data[n:]
			}
			before := collectedFields(s.Intake)
			snapshot := normal(s)
			out, effects, err := checkFlow.Step(s, in, now)
			if normal(s) != snapshot {
				t.Fatalf("Step changed its argument")
			}
			if err != nil {
				if err != ErrNotIntake || normal(out) != snapshot {
					t.Fatalf("error %v (state changed: %v)", err, normal(out) != snapshot)
				}
				continue
			}
			handed := 0
			for _, e := range effects {
				if e.Say != nil {
					checkPost(t, e.Say.Text)
				}
				if e.File != nil || e.Route != nil || e.Add != nil {
					handed++
				}
			}
			if handed > 1 || (handed == 1) != (out.Filings == s.Filings+1 && out.Phase == PhaseFiling) {
				t.Fatalf("handed over %d times; filings %d → %d, phase %s", handed, s.Filings, out.Filings, out.Phase)
			}
			if out.Phase == PhaseAsking && (lookup(out.Current) == nil || !lookup(out.Current).needed(&out)) {
				t.Fatalf("asking %q, which is not a needed item", out.Current)
			}
			if !mayDrop(s, in) {
				after := collectedFields(out.Intake)
				for k, had := range before {
					if had && !after[k] {
						t.Fatalf("input %+v lost %s", in, k)
					}
				}
			}
			var err2 error
			if saved, err2 = json.Marshal(out); err2 != nil {
				t.Fatal(err2)
			}
			var loaded State
			if err := json.Unmarshal(saved, &loaded); err != nil || normal(loaded) != normal(out) {
				t.Fatalf("state does not survive a restart: %v\n%s\n%s", err, normal(out), normal(loaded))
			}
			s = loaded
		}
	})
}
