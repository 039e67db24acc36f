package conversations

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
	"github.com/setbot/setbot/artifacts/artifactstest"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/")

// t0 is when every transcript starts.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const (
	alice    = setbot.UserID("u-alice")
	aliceN   = setbot.Username("alice")
	setChan  = setbot.ChannelID("c-set")
	rootPost = setbot.PostID("p-root")
)

// step is one line of a transcript script.
type step struct {
	in    Input
	wait  time.Duration // advance the clock first
	label string        // how the input is written in the transcript
}

func say(text string) step {
	label := text
	if n := utf8.RuneCountInString(text); n > 300 {
		label = string([]rune(text)[:200]) + fmt.Sprintf("… (%d runes in all)", n)
	}
	return step{in: Input{Kind: Text, Text: text}, label: "user: " + label}
}

// tagged is action as a button of s's intake carries it.
func tagged(action string, s State) string { return action + intakeTag + s.Intake.ID }

func click(action string) step {
	return step{in: Input{Kind: Click, Action: action}, label: "user clicks: " + action}
}

func upload(name string, data []byte) step {
	return step{in: Input{Kind: Files, Files: []artifacts.Checked{check(name, data)}}, label: "user uploads: " + name}
}

func check(name string, data []byte) artifacts.Checked {
	return artifacts.Check(setbot.File{ID: setbot.FileID("f-" + name), Name: name, Content: setbot.Content{Data: data}, Size: int64(len(data))}, artifactstest.Redact)
}

func tick(after time.Duration) step {
	return step{in: Input{Kind: Tick}, wait: after, label: fmt.Sprintf("tick (+%s)", after)}
}

func start(prefill string) step {
	return step{in: Input{Kind: Start, Prefill: prefill, Permalink: "https://chat.example.com/core/pl/p-root", Origin: setChan, OriginRoot: rootPost},
		label: "user in ~sustained-engineering: @setbot ticket (thread root: " + strings.ReplaceAll(prefill, "\n", "⏎") + ")"}
}

func filed(key string) step {
	return step{in: Input{Kind: Filed, Issue: setbot.Issue{Key: setbot.IssueKey(key), URL: "https://jira.example.com/browse/" + key}}, label: "filer: filed " + key}
}

func failed(reason string) step {
	return step{in: Input{Kind: FilingFailed, Reason: reason}, label: "filer: failed: " + reason}
}

// found answers a similar-ticket search with tickets SET-n (n from keys).
func found(keys ...string) step {
	var issues []setbot.Issue
	for _, k := range keys {
		issues = append(issues, setbot.Issue{Key: setbot.IssueKey(k), URL: "https://jira.example.com/browse/" + k,
			Summary: "Similar problem " + k + " @here", Status: "In Progress"})
	}
	return step{in: Input{Kind: SimilarFound, Issues: issues}, label: fmt.Sprintf("dispatcher: similar tickets %v", keys)}
}

func added(key string) step {
	return step{in: Input{Kind: Added, Issue: setbot.Issue{Key: setbot.IssueKey(key), URL: "https://jira.example.com/browse/" + key}}, label: "adder: added to " + key}
}

func queued(reason string) step {
	return step{in: Input{Kind: Queued, Reason: reason}, label: "filer: queued: " + reason}
}

// run plays steps through Step the way the dispatcher does: the state is
// saved as JSON and loaded again between steps. It checks that Step never
// changes its argument, that every post fits and has no live mention, and
// returns the transcript.
func run(t testing.TB, f Flow, steps []step) (string, State) {
	t.Helper()
	var b strings.Builder
	var saved []byte
	now := t0
	var s State
	for i, st := range steps {
		now = now.Add(st.wait)
		in := st.in
		in.User, in.Username = alice, aliceN
		s = State{}
		if saved != nil {
			if err := json.Unmarshal(saved, &s); err != nil {
				t.Fatalf("step %d: load: %v", i, err)
			}
		}
		if in.Kind == Click {
			in.Action = tagged(in.Action, s) // as the button setbot posted sends it
		}
		before, _ := json.Marshal(s)
		next, effects, err := f.Step(s, in, now)
		if after, _ := json.Marshal(s); string(after) != string(before) {
			t.Fatalf("step %d: Step changed its argument", i)
		}
		fmt.Fprintf(&b, "--- %s %s\n", now.Format("Jan 2 15:04"), st.label)
		switch {
		case errors.Is(err, ErrNotIntake):
			b.WriteString("(not for the intake: the dispatcher answers)\n")
			if !reflect.DeepEqual(next, s) {
				t.Fatalf("step %d: ErrNotIntake with a changed state", i)
			}
			continue
		case err != nil:
			t.Fatalf("step %d: %v", i, err)
		}
		for _, e := range effects {
			writeEffect(t, &b, e)
		}
		if saved, err = json.Marshal(next); err != nil {
			t.Fatal(err)
		}
		var reloaded State
		if err := json.Unmarshal(saved, &reloaded); err != nil || !reflect.DeepEqual(normal(reloaded), normal(next)) {
			t.Fatalf("step %d: state does not survive a restart: %v", i, err)
		}
		fmt.Fprintf(&b, "  [phase=%s current=%s next_tick=%s]\n", next.Phase, next.Current, fmtTime(next.NextTick()))
		s = next
	}
	return b.String(), s
}

// normal makes nil and empty slices compare equal after a JSON round trip.
func normal(s State) string { b, _ := json.Marshal(s); return string(b) }

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.Format("Jan 2 15:04")
}

func writeEffect(t testing.TB, b *strings.Builder, e Effect) {
	t.Helper()
	n := 0
	for _, set := range []bool{e.Say != nil, e.File != nil, e.Thread != nil, e.Route != nil, e.Similar != nil, e.Add != nil, e.Page != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("effect with %d fields set", n)
	}
	switch {
	case e.Say != nil:
		checkPost(t, e.Say.Text)
		fmt.Fprintf(b, "bot: %s\n", indent(e.Say.Text))
		for _, btn := range e.Say.Buttons {
			if !strings.HasPrefix(btn.Action, "intake:") {
				t.Errorf("button action %q lacks the intake: prefix", btn.Action)
			}
			fmt.Fprintf(b, "  [%s → %s]\n", btn.Label, btn.Action)
		}
	case e.Thread != nil:
		checkPost(t, e.Thread.Text)
		fmt.Fprintf(b, "bot in thread %s/%s: %s\n", e.Thread.Channel, e.Thread.Root, e.Thread.Text)
	case e.File != nil:
		fmt.Fprintf(b, "FILE with SET: %s\n", describe(*e.File))
	case e.Route != nil:
		fmt.Fprintf(b, "ROUTE away from SET: %s\n", describe(*e.Route))
	case e.Similar != nil:
		fmt.Fprintf(b, "LOOK FOR SIMILAR open SET tickets: id=%s summary=%q\n", e.Similar.ID, e.Similar.Summary)
	case e.Add != nil:
		fmt.Fprintf(b, "ADD TO %s (%s): %s\n", e.Add.Issue.Key, e.Add.Issue.URL, describe(e.Add.Intake))
	case e.Page != nil:
		fmt.Fprintf(b, "PAGE SET now: id=%s priority=%s summary=%q customer=%q\n", e.Page.ID, e.Page.Priority, e.Page.Summary, e.Page.Customer)
	}
}

func checkPost(t testing.TB, text string) {
	t.Helper()
	if n := utf8.RuneCountInString(text); n > setbot.MaxPostRunes {
		t.Errorf("post of %d runes exceeds the limit", n)
	}
	if liveMention.MatchString(text) {
		t.Errorf("post has a live mention: %q", text)
	}
}

func describe(in setbot.Intake) string {
	var files []string
	if in.Config != nil {
		files = append(files, "config "+in.Config.Name+" blob="+short(in.Config.BlobKey))
	}
	for _, a := range append(append([]setbot.Attachment(nil), in.Logs...), in.Profiles...) {
		files = append(files, artifacts.KindName(a.Kind)+" "+a.Name+" blob="+short(a.BlobKey))
	}
	return fmt.Sprintf("id=%s summary=%q type=%s priority=%s version=%q db=%q symptom=%s affected=%q customer=%q impact=%q noconfig=%q nologs=%q noprofile=%q description=%d runes files=[%s] origin=%s/%s",
		in.ID, in.Summary, in.Type, in.Priority, in.Version, in.Database.Type+" "+in.Database.Version, in.Symptom, in.Affected, in.Customer, in.Impact,
		in.NoConfig, in.NoLogs, in.NoProfile, utf8.RuneCountInString(in.Description), strings.Join(files, ", "), in.Origin, in.OriginRoot)
}

func short(key string) string {
	if len(key) > 15 {
		return key[:15] + "…"
	}
	if key == "" {
		return "-"
	}
	return key
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n     ") }

// volatile are the parts of notes that change from run to run (sample and
// goroutine counts of real profiles).
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\d+s of samples, [\d,]+ samples`), "Ns of samples, N samples"},
	{regexp.MustCompile(`\), [\d,]+ samples`), "), N samples"},
	{regexp.MustCompile(`goroutine dump: [\d,]+ goroutines \([^)]*\)`), "goroutine dump: N goroutines (…)"},
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	for _, v := range volatile {
		got = v.re.ReplaceAllString(got, v.with)
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("transcript %s differs from %s (go test -update rewrites it); got:\n%s", name, path, got)
	}
}
