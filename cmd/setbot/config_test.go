package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/setbot/setbot"
)

const goodConfig = `
[mattermost]
url = "http://127.0.0.1:8065/"
token = "file-token"
team = "eng"

[http]
listen = "127.0.0.1:0"
public_url = "http://127.0.0.1:8066"

[store]
path = "/tmp/setbot.db"

[rotation]
timezone = "Europe/Berlin"
admins = ["@carol"]

[[rotation.week]]
starts = "2026-11-30"
primary = "alice"
backup = "bob"
lead = "carol"

[escalation]
ack_within = "2d3h"
`

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "setbot.toml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func noEnv(string) string { return "" }

func TestLoadConfigGood(t *testing.T) {
	c, err := LoadConfig(writeConfig(t, goodConfig), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Mattermost.URL != "http://127.0.0.1:8065" || c.Mattermost.SETChannel != "sustained-engineering" ||
		c.Mattermost.AskChannel != "ask-r-and-d" {
		t.Errorf("mattermost defaults not applied: %+v", c.Mattermost)
	}
	if time.Duration(c.Incidents.UpdateEvery) != 24*time.Hour {
		t.Errorf("incidents.update_every = %v, want the 24h default", time.Duration(c.Incidents.UpdateEvery))
	}
	if time.Duration(c.Escalation.AckWithin) != 51*time.Hour {
		t.Errorf("escalation.ack_within = %v, want 51h", time.Duration(c.Escalation.AckWithin))
	}
	if got := c.Admins(); len(got) != 1 || got[0] != "carol" {
		t.Errorf("admins = %v, want [carol]", got)
	}
	r, err := c.Roster()
	if err != nil {
		t.Fatal(err)
	}
	s, ok := r.At(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	if !ok || s.Primary != "alice" || s.Lead != "carol" {
		t.Errorf("roster at 2026-12-02 = %+v, %v", s, ok)
	}
}

func TestLoadConfigEnvOverridesToken(t *testing.T) {
	env := func(k string) string {
		if k == envMattermostToken {
			return "env-token"
		}
		return ""
	}
	c, err := LoadConfig(writeConfig(t, goodConfig), env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Mattermost.Token != "env-token" {
		t.Errorf("token = %q, want the environment's", c.Mattermost.Token)
	}
}

func TestLoadConfigBad(t *testing.T) {
	cases := []struct {
		name, edit, want string
	}{
		{"unknown key", `team = "eng"` + "\ncolour = \"red\"", "unknown key mattermost.colour"},
		{"unknown table", goodConfig + "\n[jria]\nurl = \"x\"", "unknown key jria"},
		{"missing url", `url = ""`, "mattermost.url: must be set"},
		{"bad url", `url = "ftp://x"`, "mattermost.url: must be an http(s) URL"},
		{"missing token", `token = ""`, "mattermost.token: must be set"},
		{"missing team", `team = ""`, "mattermost.team: must be set"},
		{"missing store", `path = ""`, "store.path: must be set"},
		{"pprof not on loopback", `listen = "127.0.0.1:0"` + "\npprof_listen = \"0.0.0.0:6060\"", "http.pprof_listen: \"0.0.0.0:6060\" must be a loopback address"},
		{"unknown store driver", `path = "/tmp/setbot.db"` + "\ndriver = \"sqlite\"", "store.driver: must be \"bbolt\" or \"postgres\""},
		{"postgres without dsn", `path = "/tmp/setbot.db"` + "\ndriver = \"postgres\"", "store.dsn: must be set (or SETBOT_STORE_DSN)"},
		{"bad zone", `timezone = "Mars/Olympus"`, "rotation.timezone"},
		{"not a monday", `starts = "2026-12-01"`, "rotation.week[0].starts"},
		{"bad duration", `ack_within = "soon"`, "escalation.ack_within"},
		{"bad level", goodConfig + "\n[log]\nlevel = \"loud\"", "log.level"},
		{"retention too short", `path = "/tmp/setbot.db"` + "\nretention = \"1h\"", "store.retention: must be at least 1d"},
		{"bad jira deployment", goodConfig + "\n[jira]\nurl = \"https://j.example\"\ndeployment = \"cloudy\"\ntoken = \"t\"\nproject = \"SET\"", "jira.deployment"},
		{"jira missing project", goodConfig + "\n[jira]\nurl = \"https://j.example\"\nemail = \"a@b\"\ntoken = \"t\"", "jira.project"},
		{"routing without project", goodConfig + "\n[jira]\nurl = \"https://j.example\"\nemail = \"a@b\"\ntoken = \"t\"\nproject = \"SET\"\n[routing]\nteam = \"PM\"", "routing.project"},
		{"routing without jira", goodConfig + "\n[routing]\nproject = \"PM\"", "routing: needs a [jira] table"},
		{"syntax", goodConfig + "\n[broken", "line"},
		{"bad watch hours", goodConfig + "\n[watch]\nhours = \"weekdays\"", "watch.hours"},
		{"watch too short", goodConfig + "\n[watch]\nfirst_response = \"500ms\"", "watch.first_response: must be at least 1s"},
		{"watch target not urgent", goodConfig + "\n[watch.targets]\nL3 = \"4h\"", "watch.targets: \"L3\" is not L1 or L2"},
		{"bad ask sweep", goodConfig + "\n[watch]\nask_sweep = [\"10am\"]", "watch.ask_sweep: \"10am\""},
		{"stale too short", goodConfig + "\n[stale]\nL2 = \"30m\"", "stale.L2: must be at least 1h"},
		{"bad stale digest", goodConfig + "\n[stale]\ndigest = \"9.30\"", "stale.digest: \"9.30\""},
		{"stale level unknown", goodConfig + "\n[stale]\nL5 = \"1d\"", "unknown key stale.L5"},
		{"order by in order", goodConfig + "\n[order]\nhotfix = \"labels = hotfix ORDER BY Rank\"", "order.hotfix: a fragment"},
		{"order class unknown", goodConfig + "\n[order]\nsecurity = \"labels = cve\"", "unknown key order.security"},
		{"short calendar token", goodConfig + "\n[calendar]\ntoken = \"abc\"", "calendar.token: must be at least 16"},
		{"calendar token with a slash", goodConfig + "\n[calendar]\ntoken = \"abcdefgh/ijklmnopq\"", "calendar.token"},
		{"pattern start not a monday", `admins = ["@carol"]` + "\nmembers = [\"alice\", \"bob\"]\nstarts = \"2026-12-01\"", "rotation.starts"},
		{"pattern without start", `admins = ["@carol"]` + "\nmembers = [\"alice\", \"bob\"]", "rotation.starts"},
		{"leads without members", `admins = ["@carol"]` + "\nleads = [\"carol\"]", "rotation.members"},
		{"negative lead weeks", `admins = ["@carol"]` + "\nmembers = [\"alice\"]\nstarts = \"2026-11-30\"\nlead_weeks = -1", "rotation.lead_weeks"},
		{"empty member", `admins = ["@carol"]` + "\nmembers = [\"alice\", \"\"]\nstarts = \"2026-11-30\"", "empty name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := c.edit
			if !strings.HasPrefix(c.edit, goodConfig) {
				old := strings.SplitN(c.edit, " = ", 2)[0]
				text = replaceKey(t, goodConfig, old, c.edit)
			}
			_, err := LoadConfig(writeConfig(t, text), noEnv)
			if err == nil {
				t.Fatalf("config accepted; want an error naming %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not name %q", err, c.want)
			}
		})
	}
}

// replaceKey replaces the first line that sets key in text with line.
func replaceKey(t *testing.T, text, key, line string) string {
	t.Helper()
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, key+" = ") {
			lines[i] = line
			return strings.Join(lines, "\n")
		}
	}
	t.Fatalf("no line sets %s", key)
	return ""
}

func TestExampleConfigIsValid(t *testing.T) {
	env := func(k string) string {
		if k == envMattermostToken {
			return "example-token"
		}
		return ""
	}
	if _, err := LoadConfig("../../config.example.toml", env); err != nil {
		t.Fatalf("config.example.toml: %v", err)
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"15m": 15 * time.Minute, "2d": 48 * time.Hour, "1d12h": 36 * time.Hour, "90s": 90 * time.Second} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "d", "xd", "-1d", "1w"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
}

func TestIncidentsConfig(t *testing.T) {
	c, err := LoadConfig(writeConfig(t, goodConfig), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	p := c.NagPolicy()
	if p.Interval(setbot.L1) != 24*time.Hour || p.Interval(setbot.L2) != 24*time.Hour || p.Grace != 4*time.Hour {
		t.Errorf("default policy: L1 %v, L2 %v, grace %v; want 24h, 24h, 4h", p.Interval(setbot.L1), p.Interval(setbot.L2), p.Grace)
	}
	text := goodConfig + "\n[incidents]\nupdate_every = \"1d\"\nupdate_every_l1 = \"8h\"\ngrace = \"2h\"\n"
	if c, err = LoadConfig(writeConfig(t, text), noEnv); err != nil {
		t.Fatal(err)
	}
	p = c.NagPolicy()
	if p.Interval(setbot.L1) != 8*time.Hour || p.Interval(setbot.L2) != 24*time.Hour || p.Grace != 2*time.Hour {
		t.Errorf("policy: L1 %v, L2 %v, grace %v; want 8h, 24h, 2h", p.Interval(setbot.L1), p.Interval(setbot.L2), p.Grace)
	}
	for key, want := range map[string]string{"update_every_l2": "incidents.update_every_l2: must be at least 1s", "grace": "incidents.grace: must be at least 1s"} {
		_, err := LoadConfig(writeConfig(t, goodConfig+"\n[incidents]\n"+key+" = \"500ms\"\n"), noEnv)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s = 500ms: error %v, want %q", key, err, want)
		}
	}
}

func TestLoadConfigEscalationPagingKeys(t *testing.T) {
	const secret = "hook-secret-81f2"
	text := goodConfig + "page_l2 = true\nwebhook_url = \"https://pager.example.com/hooks/" + secret + "?k=" + secret + "\"\n"
	c, err := LoadConfig(writeConfig(t, text), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Escalation.PageL2 || !strings.Contains(c.Escalation.WebhookURL, secret) {
		t.Errorf("escalation = %+v", c.Escalation)
	}
	for name, bad := range map[string]string{
		"not http":    "ftp://pager.example.com/" + secret,
		"no host":     "https:///" + secret,
		"credentials": "https://user:" + secret + "@pager.example.com/x",
	} {
		_, err := LoadConfig(writeConfig(t, goodConfig+"webhook_url = \""+bad+"\"\n"), noEnv)
		if err == nil || !strings.Contains(err.Error(), "escalation.webhook_url") {
			t.Errorf("%s: error %v does not name escalation.webhook_url", name, err)
		} else if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error repeats the URL's secret: %v", name, err)
		}
	}
	c, err = LoadConfig(writeConfig(t, goodConfig), noEnv)
	if err != nil || c.Escalation.PageL2 || c.Escalation.WebhookURL != "" {
		t.Errorf("defaults: page_l2 %v, webhook_url %q, %v", c.Escalation.PageL2, c.Escalation.WebhookURL, err)
	}
}

// TestRotationPatternFillsWeeksWithoutEntries: the pattern fills every week
// after the [[rotation.week]] entry; the entry still wins for its own week.
func TestRotationPatternFillsWeeksWithoutEntries(t *testing.T) {
	text := replaceKey(t, goodConfig, "admins", `admins = ["@carol"]`+
		"\nmembers = [\"dan\", \"eve\", \"fay\"]\nleads = [\"gus\", \"hal\"]\nstarts = \"2026-11-30\"\nlead_weeks = 2")
	c, err := LoadConfig(writeConfig(t, text), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Roster()
	if err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, w := range []struct {
		day                   int // of December 2026, or of November when > 28
		primary, backup, lead string
	}{
		{30, "alice", "bob", "carol"}, // the week entry
		{7, "eve", "fay", "gus"},      // week 1 of the pattern
		{14, "fay", "dan", "hal"},     // week 2: the second lead's turn
		{21, "dan", "eve", "hal"},     // week 3
		{28, "eve", "fay", "gus"},     // week 4: the first lead again
	} {
		month := time.December
		if w.day > 28 {
			month = time.November
		}
		at := time.Date(2026, month, w.day, 12, 0, 0, 0, berlin)
		s, ok := r.At(at)
		if !ok || s.Primary != setbot.Username(w.primary) || s.Backup != setbot.Username(w.backup) || s.Lead != setbot.Username(w.lead) {
			t.Errorf("week of %s: got %+v, want %s/%s/%s", at.Format("2006-01-02"), s, w.primary, w.backup, w.lead)
		}
	}
}

func TestCalendarTokenFromTheEnvironment(t *testing.T) {
	env := func(k string) string {
		if k == envCalendarToken {
			return "calendar-token-from-env"
		}
		return ""
	}
	c, err := LoadConfig(writeConfig(t, goodConfig), env)
	if err != nil || c.Calendar.Token != "calendar-token-from-env" {
		t.Fatalf("calendar token = %q, %v", c.Calendar.Token, err)
	}
}

func TestWatchPolicyDefaultsAndOff(t *testing.T) {
	c, err := LoadConfig(writeConfig(t, goodConfig), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.WatchPolicy(time.UTC)
	if err != nil || p.FirstResponse != time.Hour || p.Hours.String() != "Mon,Tue,Wed,Thu,Fri 08:00-18:00" ||
		p.Targets[setbot.L1] != time.Hour || p.Targets[setbot.L2] != 2*time.Hour {
		t.Fatalf("defaults: %+v, %v", p, err)
	}
	c, err = LoadConfig(writeConfig(t, goodConfig+"\n[watch]\nfirst_response = \"0\"\nhours = \"\"\n[watch.targets]\nL1 = \"30m\"\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := c.WatchPolicy(time.UTC); p.FirstResponse != 0 || !p.Hours.Always() || p.Targets[setbot.L1] != 30*time.Minute {
		t.Fatalf("off, always, L1 30m: %+v", p)
	}
}

func TestStaleAndOrderDefaultsAndChanges(t *testing.T) {
	c, err := LoadConfig(writeConfig(t, goodConfig), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	p, at, err := c.StalePolicy()
	if err != nil || p != setbot.DefaultStalePolicy() || at == nil || *at != 9*time.Hour+30*time.Minute {
		t.Fatalf("defaults: %v, %v, %v", p, at, err)
	}
	order, err := c.KanbanOrder()
	if err != nil || len(order) != 3 || order[1] != (setbot.OrderClass{Name: "release", JQL: "fixVersion in unreleasedVersions()"}) {
		t.Fatalf("default order: %+v, %v", order, err)
	}
	c, err = LoadConfig(writeConfig(t, goodConfig+"\n[stale]\nL1 = \"12h\"\ndigest = \"\"\n[order]\nrelease = \"\"\ncustomer = \"labels = escalated\"\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	p, at, _ = c.StalePolicy()
	if p.Limit(setbot.L1) != 12*time.Hour || p.Limit(setbot.L4) != 14*24*time.Hour || at != nil {
		t.Fatalf("L1 12h, digest off: %v, %v", p, at)
	}
	order, _ = c.KanbanOrder()
	want := []setbot.OrderClass{{Name: "hotfix", JQL: "labels = hotfix"}, {Name: "customer", JQL: "labels = escalated"}}
	if !slices.Equal(order, want) {
		t.Fatalf("order = %+v, want %+v", order, want)
	}
}

// TestStoreDSNFromTheEnvironment: on postgres the DSN may come from
// SETBOT_STORE_DSN alone (it holds a password), and check-config's
// description of the store never shows it.
func TestStoreDSNFromTheEnvironment(t *testing.T) {
	text := replaceKey(t, goodConfig, "path", `driver = "postgres"`)
	env := func(k string) string {
		if k == envStoreDSN {
			return "postgres://setbot:s3cret@db:5432/setbot"
		}
		return ""
	}
	c, err := LoadConfig(writeConfig(t, text), env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Store.DSN != "postgres://setbot:s3cret@db:5432/setbot" || c.Store.Driver != driverPostgres {
		t.Errorf("store: %+v", c.Store)
	}
	if d := c.Store.Describe(); strings.Contains(d, "s3cret") || d != "postgres" {
		t.Errorf("the store is described as %q", d)
	}
	c, err = LoadConfig(writeConfig(t, goodConfig), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c.Store.Driver != driverBolt || c.Store.Describe() != "/tmp/setbot.db" {
		t.Errorf("the default store: %+v", c.Store)
	}
}
