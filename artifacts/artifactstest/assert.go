package artifactstest

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
)

// AssertNoSecretLeaves checks h with redact and asserts that it is refused
// or taken as h says, and that no planted secret is in anything the check
// keeps or says.
func AssertNoSecretLeaves(t testing.TB, h Hostile, redact artifacts.ConfigRedactor) artifacts.Checked {
	t.Helper()
	c := artifacts.Check(setbot.File{ID: "f1", Name: h.File, Content: setbot.Content{Data: h.Data}, Size: int64(len(h.Data))}, redact, artifacts.TempDir(t.TempDir()))
	t.Cleanup(c.Remove)
	if h.Refuse != !c.OK() {
		t.Fatalf("refused = %v (%q), want %v; note %q", !c.OK(), c.Problem, h.Refuse, c.Attachment.Note)
	}
	if c.OK() && c.Attachment.Kind != h.Kind {
		t.Errorf("kind = %s, want %s", artifacts.KindName(c.Attachment.Kind), artifacts.KindName(h.Kind))
	}
	AssertNoSecretIn(t, c, h.Data)
	return c
}

// AssertNoSecretIn asserts that nothing c keeps or says holds SecretMark:
// its sentences, and the content that would be attached (each blob, or the
// upload itself when there is none; never a support packet), opened down to
// its files.
func AssertNoSecretIn(t testing.TB, c artifacts.Checked, upload []byte) {
	t.Helper()
	texts := []string{c.Problem, c.Attachment.Note, c.Attachment.Name, strings.Join(c.Attachment.Redacted, ",")}
	var contents [][]byte
	if c.OK() && c.Attachment.Kind != setbot.ArtifactSupportPacket {
		if c.Blob == nil {
			contents = append(contents, upload) // the original is what gets attached
		} else if c.Attachment.BlobKey != artifacts.BlobKey(ReadContent(t, *c.Blob)) {
			t.Errorf("BlobKey does not name the blob")
		}
	}
	for _, b := range c.Blobs() {
		contents = append(contents, ReadContent(t, b))
	}
	if c.Packet != nil {
		for _, p := range c.Packet.Parts {
			texts = append(texts, p.Attachment.Note, p.Attachment.Name, strings.Join(p.Attachment.Redacted, ","))
		}
	}
	for _, s := range texts {
		if strings.Contains(s, SecretMark) {
			t.Errorf("a sentence holds a secret: %q", s)
		}
	}
	for _, b := range contents {
		files, err := Unpack(b)
		if err != nil {
			t.Fatalf("kept content does not open: %v", err)
		}
		for _, f := range files {
			if i := bytes.Index(f, []byte(SecretMark)); i >= 0 {
				t.Errorf("kept content holds a secret: …%s…", f[max(0, i-80):min(len(f), i+30)])
			}
		}
	}
}

// ReadContent reads all of c, in memory or in a file.
func ReadContent(t testing.TB, c setbot.Content) []byte {
	t.Helper()
	r, err := c.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// HostilePacket is a support packet whose configuration, logs and a node's
// log (holding configuration settings) carry planted secrets.
func HostilePacket() ([]byte, error) {
	return SupportPacketWith([]byte(config(60, "")), Entry{"node1/mattermost.log", secretLog(61)}, Entry{"node2/mattermost.log", []byte(config(62, ""))})
}
