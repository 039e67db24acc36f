package conversations

import (
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts/artifactstest"
)

// checkFlow looks for similar tickets before the review, as the dispatcher
// runs it when Jira is configured.
var checkFlow = Flow{Options: Options{RouteTeam: "Product Management", RouteIssueType: "Story", Routing: true, CheckSimilar: true}}

// toReview is a short intake, from a channel thread, up to its last answer.
func toReview() []step {
	return []step{
		start("Login fails with 500 for LDAP users"), say("ok"), say("server: POST /api/v4/users/login"),
		say("Acme, 50 users"), say("LDAP users cannot log in"), say("bug"), say("L2"), say("10.11.4"), say("PostgreSQL 15"),
		upload("config.json", []byte(artifactstest.SmallConfig)), upload("mattermost.log", artifactstest.JSONLog(3)), say("done"),
		say("none"),
	}
}

func TestTranscriptSimilarAddTo(t *testing.T) {
	steps := append(toReview(),
		say("skip"), // the last answer: the search starts
		say("hello?"),
		found("SET-7", "SET-9", "SET-11", "SET-12"),
		say("add SET-99"),
		click("intake:add:SET-7"),
		say("status"),
		queued("Jira answered 503 Service Unavailable"),
		failed("SET-7 is closed for comments."),
		click("intake:add:SET-9"),
		added("SET-9"),
		added("SET-9"),
		say("thanks"),
	)
	got, end := run(t, checkFlow, steps)
	golden(t, "similar_add", got)
	if end.Active() {
		t.Error("intake still active after it was added")
	}
}

func TestTranscriptSimilarFileNew(t *testing.T) {
	steps := append(toReview(),
		say("skip"),
		upload("mattermost.log", artifactstest.JSONLog(4)),
		found("SET-7"),
		say("edit customer"),
		say("Acme, 60 users"), // the same summary: no new search, the same offer
		say("edit summary"),
		say("LDAP login fails with HTTP 500 since 10.11.4"), // a new summary: a new search
		found("SET-8"),
		say("new"),
		filed("SET-300"),
	)
	got, _ := run(t, checkFlow, steps)
	golden(t, "similar_new", got)
}

func TestTranscriptSimilarTimeoutAndCancel(t *testing.T) {
	steps := append(toReview(),
		say("skip"),
		tick(DefaultRemindAfter), // the search never answered: the review comes anyway
		found("SET-7"),           // a late answer is ignored
		say("new"),               // no offer was made, so "new" means nothing here
		say("cancel"),
	)
	got, end := run(t, checkFlow, steps)
	golden(t, "similar_timeout", got)
	if end.Active() {
		t.Error("still active")
	}
	steps = append(toReview(), say("skip"), say("cancel"), found("SET-7"))
	got, end = run(t, checkFlow, steps)
	if end.Active() || !strings.Contains(got, "Cancelled") {
		t.Errorf("cancel while checking:\n%s", got)
	}
}

func TestRoutedIntakeIsNotChecked(t *testing.T) {
	_, s := run(t, checkFlow, []step{
		say("I need to escalate a customer request for custom emoji in channel headers"), say("yes"),
		say("Allow custom emoji in channel headers"), say("web app: the channel header editor"),
		say("Initech, all 300 users"), say("they cannot use their emoji in headers"), click("intake:type:feature"),
		say("L3"), say("skip"),
	})
	if s.Phase != PhaseReview || s.Checked != "" {
		t.Fatalf("a routed intake was checked: phase %s", s.Phase)
	}
}

// TestCheckSurvivesRestart: the state saved while checking resumes on the
// answer, and a search asked for one intake is not taken by the next.
func TestCheckSurvivesRestart(t *testing.T) {
	_, s := run(t, checkFlow, append(toReview(), say("skip")))
	if s.Phase != PhaseChecking {
		t.Fatalf("phase %s", s.Phase)
	}
	other, _, err := checkFlow.Step(s, Input{Kind: SimilarFound, IntakeID: "another", Issues: []setbot.Issue{{Key: "SET-1"}}}, t0)
	if err != nil || other.Phase != PhaseChecking {
		t.Fatalf("an answer for another intake was taken: %s %v", other.Phase, err)
	}
	next, eff, err := checkFlow.Step(s, Input{Kind: SimilarFound, IntakeID: s.Intake.ID, Issues: []setbot.Issue{{Key: "SET-1"}}}, t0.Add(time.Minute))
	if err != nil || next.Phase != PhaseReview || len(next.Similar) != 1 || len(eff) != 1 || len(eff[0].Say.Buttons) != 3 {
		t.Fatalf("answer: phase %s similar %v effects %+v", next.Phase, next.Similar, eff)
	}
}

// TestAddAndNewHaveTextFallbacks: "add KEY" is "Add to KEY", "new" is
// "File new".
func TestAddAndNewHaveTextFallbacks(t *testing.T) {
	_, s := run(t, checkFlow, append(toReview(), say("skip"), found("SET-7", "SET-9")))
	for action, text := range map[string]string{"intake:add:SET-9": "add set-9", "intake:confirm": "new"} {
		byClick, e1, err1 := checkFlow.Step(s, Input{Kind: Click, Action: tagged(action, s)}, t0)
		byText, e2, err2 := checkFlow.Step(s, Input{Kind: Text, Text: text}, t0)
		if err1 != nil || err2 != nil || normal(byClick) != normal(byText) || len(e1) != len(e2) || byClick.Phase != PhaseFiling {
			t.Errorf("%s and %q differ:\nclick %s\ntext  %s", action, text, normal(byClick), normal(byText))
		}
	}
}
