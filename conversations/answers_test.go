package conversations

import (
	"fmt"
	"strings"
	"testing"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
	"github.com/setbot/setbot/artifacts/artifactstest"
)

func TestReadReply(t *testing.T) {
	cases := map[string]reply{
		"yes": replyYes, " Yes please! ": replyYes, "yep": replyYes, "Yeah.": replyYes, "sure": replyYes, "OK": replyYes,
		"ok, thanks": replyYes, "yes, that's right": replyYes, "Yes — that’s right": replyYes, "`confirm`": replyYes,
		"no": replyNo, "Nope.": replyNo, "nah": replyNo, "No thanks": replyNo, "not now": replyNo,
		"No, that's everything.": replyNo, "no, that's all": replyNo, "No, that is it!": replyNo, "nope, nothing else": replyNo,
		"done": replyDone, "That's it.": replyDone, "that is all": replyDone, "nothing else": replyDone, "no more": replyDone,
		"All done!": replyDone, "finished": replyDone, "I'm done": replyDone, "I’m done.": replyDone, "that's all, thanks": replyDone,
		// free text stays free text
		"": replyOther, "No errors in the server log": replyOther, "yes the server crashes at 9": replyOther,
		"done by 5 pm": replyOther, "ok so the server restarts": replyOther, "community": replyOther, "yes no": replyOther,
		"no yes": replyOther, "that's it, except the desktop app": replyOther,
	}
	for text, want := range cases {
		if got := readReply(text); got != want {
			t.Errorf("readReply(%q) = %d, want %d", text, got, want)
		}
	}
}

// TestTranscriptLenientAnswers: yes, no and done as people type them, at
// every question that asks for one, and a log sent twice.
func TestTranscriptLenientAnswers(t *testing.T) {
	log := artifactstest.JSONLog(20)
	steps := []step{
		say("new"),
		say("Yes please!"),
		say("Push notifications stop after the upgrade"),
		say("mobile: push notifications on iOS and Android"),
		say("Hooli, all 300 users"),
		say("they miss messages for hours"),
		say("bug"),
		say("L2"),
		say("10.11.4"),
		say("PostgreSQL 15.4"),
		upload("config.json", []byte(artifactstest.SmallConfig)),
		upload("mattermost.log", log),
		upload("mattermost.log", log),
		say("yes"),
		say("No, that's everything."),
		say("Nope."),
		say("No, that's all."),
		say("Sure"),
	}
	got, end := run(t, testFlow, steps)
	golden(t, "lenient_answers", got)
	if end.Phase != PhaseFiling || len(end.Intake.Logs) != 1 || !end.skipped(ItemDetails) || end.Intake.Symptom != setbot.SymptomNone {
		t.Errorf("end state: phase %s, %d logs, skipped %v, symptom %s", end.Phase, len(end.Intake.Logs), end.Skipped, end.Intake.Symptom)
	}
}

// TestFreeTextIsNotAReply: where free text is asked for, a text that
// starts like a yes or no is the answer, not a yes or no.
func TestFreeTextIsNotAReply(t *testing.T) {
	details := "No errors in the server log; it starts after the push proxy restarts"
	_, s := run(t, testFlow, []step{
		say("ticket"), say("yes"), say("Login fails with 500 for LDAP users"), say("server: POST /api/v4/users/login"),
		say("Acme, 50 users"), say("No one on LDAP can log in"), say("bug"), say("L2"), say("10.11.4"), say("PostgreSQL 15"),
		upload("config.json", []byte(artifactstest.SmallConfig)), upload("mattermost.log", artifactstest.JSONLog(3)), say("That's it."),
		say("none"), say(details),
	})
	if s.Phase != PhaseReview || s.Intake.Impact != "No one on LDAP can log in" || !strings.Contains(s.Intake.Description, details) {
		t.Errorf("phase %s, impact %q, description %q", s.Phase, s.Intake.Impact, s.Intake.Description)
	}
	_, s = run(t, testFlow, []step{say("ticket"), say("yes"), say("Nope")})
	if s.Intake.Summary != "" || s.Current != ItemSummary {
		t.Errorf("%q taken as a summary", s.Intake.Summary)
	}
}

func uploadAll(label string, files ...artifacts.Checked) step {
	return step{in: Input{Kind: Files, Files: files}, label: "user uploads: " + label}
}

// TestTranscriptFileLimit: at most MaxFilesPerItem logs, and the same file
// in one upload is taken once.
func TestTranscriptFileLimit(t *testing.T) {
	var logs []artifacts.Checked
	for i := 1; i <= MaxFilesPerItem+1; i++ {
		logs = append(logs, check(fmt.Sprintf("node%d.log", i), artifactstest.JSONLog(i)))
	}
	logs = append(logs, logs[0])
	steps := []step{
		say("new"),
		say("yes"),
		uploadAll(fmt.Sprintf("node1.log … node%d.log, node1.log again", MaxFilesPerItem+1), logs...),
		upload("node12.log", artifactstest.JSONLog(12)),
		say("status"),
	}
	got, end := run(t, testFlow, steps)
	golden(t, "file_limit", got)
	if n := len(end.Intake.Logs); n != MaxFilesPerItem {
		t.Errorf("%d logs kept, want %d", n, MaxFilesPerItem)
	}
}

func TestSameFile(t *testing.T) {
	a := setbot.Attachment{Name: "mattermost.log", Size: 10, FileID: "f1"}
	cases := []struct {
		b    setbot.Attachment
		same bool
	}{
		{setbot.Attachment{Name: "mattermost.log", Size: 10, FileID: "f2"}, true},
		{setbot.Attachment{Name: "mattermost.log", Size: 11, FileID: "f2"}, false},
		{setbot.Attachment{Name: "other.log", Size: 10}, false},
	}
	for _, c := range cases {
		if got := sameFile(a, c.b); got != c.same {
			t.Errorf("sameFile(%+v, %+v) = %v", a, c.b, got)
		}
	}
	x := setbot.Attachment{Name: "config.json", Size: 5, BlobKey: "sha256:1"}
	y := setbot.Attachment{Name: "config (1).json", Size: 6, BlobKey: "sha256:1"}
	if !sameFile(x, y) {
		t.Error("the same content under another name is not the same file")
	}
}

// TestIntakeHoldsAtMostMaxIntakeBytes: an upload that would take the
// intake's files past MaxIntakeBytes is refused with a sentence; the files
// already held stay.
func TestIntakeHoldsAtMostMaxIntakeBytes(t *testing.T) {
	big := func(name string) artifacts.Checked {
		return artifacts.Checked{Attachment: setbot.Attachment{Name: name, FileID: setbot.FileID("f-" + name), Kind: setbot.ArtifactLog, Size: 300 << 20}}
	}
	_, s := run(t, testFlow, []step{say("new"), say("yes")})
	s, _, err := testFlow.Step(s, Input{Kind: Files, Files: []artifacts.Checked{big("a.log")}, User: alice}, t0)
	if err != nil || len(s.Intake.Logs) != 1 {
		t.Fatalf("the first 300 MiB log: %v, %d logs", err, len(s.Intake.Logs))
	}
	s, eff, err := testFlow.Step(s, Input{Kind: Files, Files: []artifacts.Checked{big("b.log")}, User: alice}, t0)
	if err != nil || len(s.Intake.Logs) != 1 || len(eff) == 0 || eff[0].Say == nil || !strings.Contains(eff[0].Say.Text, "one ticket holds at most 512 MiB") {
		t.Errorf("a log past the cap: %v, %d logs, effects %+v", err, len(s.Intake.Logs), eff)
	}
}
