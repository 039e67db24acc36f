package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/setbot/setbot/e2e/mmtest"
)

// configTemplate is the demo's setbot.toml: the local Mattermost, the Jira
// stand-in, and a rotation of this week.
const configTemplate = `# Written by make demo (e2e/demo). To use your own Mattermost and Jira,
# start from config.example.toml instead.

[mattermost]
url = %q
token = %q          # the setbot bot account's token, made by the demo
team = %q

[http]
listen = %q
public_url = %q

[store]
path = %q

[rotation]
timezone = "UTC"
admins = ["sysadmin"]

%s
[jira]
# THIS IS THE LOCAL STAND-IN (jira/jiratest/cmd/fakejira), NOT JIRA.
url = %q
deployment = "cloud"
email = "bot@example.com"
token = "demo-token"
project = "SET"
[jira.accounts]
alice = "demo-account"
bob = "demo-account"
dave = "demo-account"

[log]
level = "info"
format = "text"
`

// demoWeeks is how many weeks the demo's rotation fills: the four weeks
// setbot checks for gaps, so the demo does not report any.
const demoWeeks = 4

// weeks is a rotation from monday on in which each backup becomes the next
// week's primary, as in the SET process.
func weeks(monday time.Time) string {
	people := []string{"alice", "bob", "dave"}
	var b strings.Builder
	for i := range demoWeeks {
		fmt.Fprintf(&b, "[[rotation.week]]\nstarts = %q\nprimary = %q\nbackup = %q\nlead = \"carol\"\n\n",
			monday.AddDate(0, 0, 7*i).Format("2006-01-02"), people[i%len(people)], people[(i+1)%len(people)])
	}
	return b.String()
}

// setup writes dir/setbot.toml for the bootstrapped server.
func setup(w *mmtest.World, dir, jiraURL, listen string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	monday := time.Now().UTC()
	for monday.Weekday() != time.Monday {
		monday = monday.AddDate(0, 0, -1)
	}
	text := fmt.Sprintf(configTemplate, w.URL, w.BotToken, mmtest.TeamName, listen, "http://"+listen,
		filepath.Join(dir, "setbot.db"), weeks(monday), jiraURL)
	path := filepath.Join(dir, "setbot.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		return err
	}
	fmt.Println(path)
	return nil
}
