package artifacts_test

import (
	"strings"
	"testing"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
	"github.com/setbot/setbot/artifacts/artifactstest"
)

// TestNoSecretLeaves checks hostile uploads with the stand-in redactor;
// bot's TestNoSecretLeavesWithRedactConfig runs all of them with the real
// one.
func TestNoSecretLeaves(t *testing.T) {
	cases := artifactstest.HostileUploads()
	if len(cases) < 25 {
		t.Fatalf("only %d hostile uploads", len(cases))
	}
	for _, h := range cases {
		if h.Model {
			continue
		}
		t.Run(h.Name, func(t *testing.T) {
			c := artifactstest.AssertNoSecretLeaves(t, h, artifactstest.Redact)
			t.Logf("problem %q; note %q", c.Problem, c.Attachment.Note)
		})
	}
}

func TestNoSecretLeavesAPacket(t *testing.T) {
	p, err := artifactstest.HostilePacket()
	if err != nil {
		t.Fatal(err)
	}
	c := artifacts.Check(setbot.File{Name: "support_packet.zip", Content: setbot.Content{Data: p}}, artifactstest.Redact)
	if !c.OK() || c.Packet == nil {
		t.Fatalf("refused: %s", c.Problem)
	}
	artifactstest.AssertNoSecretIn(t, c, p)
	if !strings.Contains(c.Attachment.Note, "left out, as they may hold secrets I cannot redact: node2-mattermost.log") {
		t.Errorf("note = %q", c.Attachment.Note)
	}
}
