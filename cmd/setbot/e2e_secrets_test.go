//go:build e2e

package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/setbot/setbot/artifacts/artifactstest"
	"github.com/setbot/setbot/e2e/mmtest"
)

// pluginHookSecret is planted in a plugin's webhook URL, in its path as a
// Slack-style token.
const pluginHookSecret = "Pl4nt3dW3bh00kT0k3nXyZ123"

// secretConfig is mmtest.ConfigJSON with a plugin whose settings hold a
// webhook URL with a token in its path.
func secretConfig(t *testing.T) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(mmtest.ConfigJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	ps := doc["PluginSettings"].(map[string]any)
	ps["Plugins"] = map[string]any{"com.example.alerts": map[string]any{
		"incomingurl": "https://hooks.slack.com/services/T0000/B0000/" + pluginHookSecret}}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestE2EConfigInArchivesLeavesNoSecret: a config.json full of secrets
// uploaded inside config.zip, and again inside logs.zip beside the log,
// leaves no secret in any field or attachment of the ticket (archives
// opened down to their files).
func TestE2EConfigInArchivesLeavesNoSecret(t *testing.T) {
	w := theWorld(t)
	r := newRig(t, w, "")
	r.start(t)
	c := newChatter(t, w, "support1")
	cfg := secretConfig(t)
	c.startIntake()
	c.answerToPriority("L3", "config.json")
	c.upload("config.zip", artifactstest.Zip(artifactstest.Entry{Name: "config/config.json", Data: cfg}), "redacted")
	logs := artifactstest.Zip(artifactstest.Entry{Name: "mattermost.log", Data: artifactstest.JSONLog(50)},
		artifactstest.Entry{Name: "config.json", Data: cfg})
	c.upload("logs.zip", logs, "Any more")
	c.say("done", "CPU profile")
	c.answerProfile()
	c.confirm()

	issues := r.fake.Issues()
	if len(issues) != 1 {
		t.Fatalf("Jira has %d issues, want 1", len(issues))
	}
	is := issues[0]
	if len(is.Attachments) < 2 {
		t.Fatalf("the ticket has %d attachments, want the config and the logs", len(is.Attachments))
	}
	fields, _ := json.Marshal(is)
	texts := [][]byte{fields}
	for _, a := range is.Attachments {
		files, err := artifactstest.Unpack(a.Data)
		if err != nil {
			t.Fatalf("open attachment %s: %v", a.Filename, err)
		}
		texts = append(texts, files...)
	}
	for _, secret := range append([]string{pluginHookSecret}, mmtest.Secrets...) {
		for _, b := range texts {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("the secret %q reached Jira (%s)", secret, strings.SplitN(string(b), "\n", 2)[0])
			}
		}
	}
}
