package artifacts_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
	"github.com/setbot/setbot/artifacts/artifactstest"
)

// logTemplates are the shapes of secrets masking must find; %s is the secret.
var logTemplates = []string{
	"dsn=postgres://mmuser:%s@db:5432/mm?sslmode=disable",
	"mmuser:%s@tcp(db:3306)/mattermost",
	"Authorization: Bearer %s",
	"authorization=Basic %s",
	`"Authorization":"token %s"`,
	"GET /api/v4/x?token=%s&page=1",
	"GET /oauth?access_token=%s",
	"password=%s",
	"client_secret=%s",
	`{"password":"%s"}`,
	`{"msg":"x","token":"%s"}`,
	`\"password\":\"%s\"`,
	"https://hooks.slack.com/services/T000/B000/%s",
	"https://chat.example.com/hooks/%s",
}

// FuzzRedactLog plants a secret (from the fuzzer, in the characters
// tokens and passwords are made of) in one of logTemplates, between fuzzed
// lines, and asserts that Check keeps no trace of it.
func FuzzRedactLog(f *testing.F) {
	f.Add(uint8(0), "info  [2026-03-02 10:00:00.000 Z] ", " caller=x", "abc")
	f.Add(uint8(9), `{"level":"info",`, "}", "hunter2")
	f.Add(uint8(12), "", "\n", "XXXXXXXX")
	f.Fuzz(func(t *testing.T, which uint8, before, after, secret string) {
		secret = artifactstest.SecretMark + strings.Map(func(r rune) rune {
			if r < 128 && (r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
				return r
			}
			return -1
		}, secret)
		line := strings.Replace(logTemplates[int(which)%len(logTemplates)], "%s", secret, 1)
		data := []byte("info  [2026-03-02 10:00:00.000 Z] start\n" + before + line + after + "\n")
		c := artifacts.Check(setbot.File{Name: "mattermost.log", Content: setbot.Content{Data: data}}, nil)
		if !c.OK() {
			if strings.Contains(c.Problem, artifactstest.SecretMark) {
				t.Fatalf("problem quotes the secret: %s", c.Problem)
			}
			return // refused: nothing kept
		}
		kept := data
		if c.Blob != nil {
			kept = artifactstest.ReadContent(t, *c.Blob)
		}
		files, err := artifactstest.Unpack(kept)
		if err != nil {
			return // not a text log (a profile, …): not this fuzzer's subject
		}
		for _, f := range files {
			if bytes.Contains(f, []byte(artifactstest.SecretMark)) {
				t.Fatalf("secret survived in %q", f)
			}
		}
	})
}
