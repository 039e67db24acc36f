package conversations

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

func TestHumanDuration(t *testing.T) {
	cases := map[time.Duration]string{
		30 * time.Second:                "less than a minute",
		15 * time.Minute:                "15 min",
		15*time.Minute + 20*time.Second: "15 min",
		2 * time.Hour:                   "2 h",
		2*time.Hour + 30*time.Minute:    "2 h 30 min",
		24 * time.Hour:                  "1 day",
		28*time.Hour + 10*time.Minute:   "1 day 4 h",
		3*24*time.Hour + 59*time.Second: "3 days",
		DefaultRemindAfter:              "4 h",
		20 * time.Hour:                  "20 h",
	}
	for d, want := range cases {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

// Messages other packages put in setbot.Errors (jira/*.go), as a filing
// failure or a note on a filed ticket can carry them.
func TestPlainWords(t *testing.T) {
	cases := map[string]string{
		`jira.issue_types: Jira project SET has no issue type "Bug".`:                                                                      `Jira project SET has no issue type "Bug".`,
		`jira.priorities.L1: Jira has no priority "Highest".`:                                                                              `Jira has no priority "Highest".`,
		`SET-1 cannot move to "In Progress" from its current status in Jira's workflow (jira.in_progress_status); please move it by hand.`: `SET-1 cannot move to "In Progress" from its current status in Jira's workflow; please move it by hand.`,
		`I don't know @alice's Jira account: add it to [jira.accounts] in setbot's configuration, then assign by hand.`:                    `I don't know @alice's Jira account: add it to setbot's settings, then assign by hand.`,
		`No teams are configured for handover: an admin needs to fill [jira.handover_teams].`:                                              `No teams are configured for handover: an admin needs to fill setbot's settings.`,
		`Ask whoever runs setbot to add the [jira] table.`:                                                                                 `Ask whoever runs setbot to add setbot's settings.`,
		`Routing is off: set [routing] first.`:                                                                                             `Routing is off: set setbot's settings first.`,
		`check jira.in_progress_status`:                                                                                                    `Check setbot's settings`,
		`Jira answered 503 at https://jira.example.com/rest/api/2/issue.`:                                                                  `Jira answered 503 at https://jira.example.com/rest/api/2/issue.`,
		`mattermost.log is too large.`:                                                                                                     `mattermost.log is too large.`,
	}
	for in, want := range cases {
		got := PlainWords(in)
		if got != want {
			t.Errorf("PlainWords(%q)\n = %q\nwant %q", in, got, want)
		}
		if anyConfigKey.MatchString(got) {
			t.Errorf("PlainWords(%q) still names a key: %q", in, got)
		}
	}
}

// anyConfigKey finds what looks like a key of setbot's configuration file.
var anyConfigKey = regexp.MustCompile(`\[(jira|intake|rotation|routing|store|http|log|mattermost|incidents|paging|bot)(\.[\w.]+)?\]|\b(jira|intake|rotation|routing|incidents)\.[a-z]+_[a-z_]+`)

// goDuration is Go's time.Duration.String: "15m0s", "2h0m0s", "1h30m".
var goDuration = regexp.MustCompile(`\b\d+h\d+m|\b\d+m\d+(\.\d+)?s\b`)

// TestTranscriptPlainWords: what Jira said comes to the person without
// setbot's configuration keys.
func TestTranscriptPlainWords(t *testing.T) {
	notes := setbot.Issue{Key: "SET-300", URL: "https://jira.example.com/browse/SET-300", Notes: []string{
		"I don't know @alice's Jira account: add it to [jira.accounts] in setbot's configuration, then assign by hand.",
		`SET-300 cannot move to "In Progress" from its current status in Jira's workflow (jira.in_progress_status); please move it by hand.`,
	}}
	steps := []step{
		say("ticket"), say("yes"), say("Login fails with 500 for LDAP users"), say("server: POST /api/v4/users/login"),
		say("Acme, 50 users"), say("LDAP users cannot log in"), say("bug"), say("L2"), say("10.11.4"), say("PostgreSQL 15"),
		say("not available: policy"), say("not available: policy"), say("none"), say("skip"),
		say("confirm"),
		failed(`jira.issue_types: Jira project SET has no issue type "Bug".`),
		say("confirm"),
		queued("jira.component: project SET has no component \"Server\"."),
		{in: Input{Kind: Filed, Issue: notes}, label: "filer: filed SET-300 with notes"},
	}
	got, _ := run(t, testFlow, steps)
	golden(t, "plain_words", got)
}

// TestPostsSpeakPlainly: no post in any golden transcript shows a Go
// duration ("2h0m0s") or a configuration key.
func TestPostsSpeakPlainly(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.golden"))
	if len(paths) == 0 {
		t.Fatal("no golden transcripts")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "--- ") || strings.HasPrefix(line, "FILE ") || strings.HasPrefix(line, "ROUTE ") || strings.HasPrefix(line, "ADD TO ") {
				continue // the script's own lines: inputs and effects, not posts
			}
			if m := goDuration.FindString(line); m != "" {
				t.Errorf("%s:%d: Go duration %q in a post: %s", p, i+1, m, line)
			}
			if m := anyConfigKey.FindString(line); m != "" {
				t.Errorf("%s:%d: configuration key %q in a post: %s", p, i+1, m, line)
			}
		}
	}
}
