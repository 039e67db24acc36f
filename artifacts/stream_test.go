package artifacts_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
	"github.com/setbot/setbot/artifacts/artifactstest"
)

// onDisk is an upload of data as the dispatcher hands it to Check: in a
// file (a download larger than setbot.ContentMemoryBytes).
func onDisk(t *testing.T, name string, data []byte) setbot.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "upload")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return setbot.File{ID: "f1", Name: name, Size: int64(len(data)), Content: setbot.Content{Path: path, Size: int64(len(data))}}
}

// bigLog is a plain log of at least n bytes with a line of secrets every
// 1,000 lines.
func bigLog(n int) []byte {
	var b bytes.Buffer
	secrets := artifactstest.HostileUploads()[19].Data // "plain log": every kind of secret
	for i := 0; b.Len() < n; i++ {
		if i%1000 == 0 {
			b.Write(secrets)
		}
		fmt.Fprintf(&b, "info  [2026-03-02 10:00:%02d.000 Z] Request completed request_id=%08x path=/api/v4/users/me\n", i%60, i)
	}
	return b.Bytes()
}

// checkIn checks f with its temporary files in a directory of their own,
// which the test's end finds empty once the result is removed.
func checkIn(t *testing.T, f setbot.File, redact artifacts.ConfigRedactor) (artifacts.Checked, string) {
	t.Helper()
	dir := t.TempDir()
	c := artifacts.Check(f, redact, artifacts.TempDir(dir))
	t.Cleanup(func() {
		c.Remove()
		assertEmpty(t, dir)
	})
	return c, dir
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		t.Errorf("temporary file left behind: %s", e.Name())
	}
}

func TestLargeLogIsMaskedIntoATemporaryFile(t *testing.T) {
	data := bigLog(6 << 20)
	c, dir := checkIn(t, onDisk(t, "mattermost.log", data), nil)
	if !c.OK() || c.Attachment.Kind != setbot.ArtifactLog {
		t.Fatalf("refused: %s", c.Problem)
	}
	if c.Blob == nil || !strings.HasPrefix(c.Blob.Path, dir) || c.Blob.Data != nil {
		t.Fatalf("blob %+v is not a file in %s", c.Blob, dir)
	}
	wantLines := bytes.Count(data, []byte("\n"))
	if !strings.Contains(c.Attachment.Note, fmt.Sprintf("plain text log, %s lines", commas(wantLines))) || !strings.Contains(c.Attachment.Note, "secret values masked") {
		t.Errorf("note = %q", c.Attachment.Note)
	}
	artifactstest.AssertNoSecretIn(t, c, data)
	if c.Attachment.Size != c.Blob.Len() {
		t.Errorf("Size %d, blob %d bytes", c.Attachment.Size, c.Blob.Len())
	}
}

func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Texts past MaxConfigBytes are classified as they stream past, as a
// smaller one is from memory.
func TestLargeTexts(t *testing.T) {
	pad := bytes.Repeat([]byte("info  [2026-03-02 10:00:00.000 Z] Request completed path=/api/v4/users/me\n"), (artifacts.MaxConfigBytes+1<<20)/73)
	jsonPad := artifactstest.JSONLog((artifacts.MaxConfigBytes + 1<<20) / 150)
	bigObject := []byte(`{"name": "x", "items": [` + strings.Repeat(`"item", `, artifacts.MaxConfigBytes/8) + `"last"]}` + "\n")
	dump := bytes.Repeat([]byte("goroutine 7 [chan receive, 5 minutes]:\nmain.wait()\n\t/src/main.go:12 +0x1d\n\n"), (artifacts.MaxConfigBytes+1<<20)/75)
	tests := []struct {
		name, file string
		data       []byte
		problem    string // "" means accepted
		note       string
	}{
		{"plain log", "mattermost.log", pad, "", "plain text log"},
		{"JSON lines log", "mattermost.log", jsonPad, "", "JSON lines log"},
		{"one large JSON object", "data.json", bigObject, "far smaller", ""},
		{"one large JSON object, with a byte-order mark", "data.json", append([]byte("\xef\xbb\xbf "), bigObject...), "far smaller", ""},
		{"a section split from its colon at the end", "mattermost.log", append(append([]byte(nil), pad...), "\"SqlSettings\"\n  : {\"DataSource\"\n : \"x\"}\n"...), "far smaller", ""},
		{"escaped config in a JSON log", "mattermost.log", append(append([]byte(nil), jsonPad...), `{"level":"info","msg":"x","new":"{\"SqlSettings\":{}}"}`+"\n"...), "far smaller", ""},
		{"goroutine dump", "goroutines.txt", dump, "", "goroutine dump"},
		{"a line too long to mask", "mattermost.log", append(append([]byte(nil), pad[:1000]...), bytes.Repeat([]byte("x"), artifacts.MaxLineBytes+1)...), "line longer than 4 MiB", ""},
		{"text heap profile", "heap.txt", append([]byte("heap profile: 1: 2 [3: 4] @ heap/1048576\n"), pad...), "text form (debug=1)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, _ := checkIn(t, onDisk(t, tt.file, tt.data), artifactstest.Redact)
			if tt.problem != "" {
				if c.OK() || !strings.Contains(c.Problem, tt.problem) {
					t.Fatalf("Problem = %q, want %q", c.Problem, tt.problem)
				}
				return
			}
			if !c.OK() || !strings.Contains(c.Attachment.Note, tt.note) {
				t.Fatalf("problem %q, note %q; want accepted with %q", c.Problem, c.Attachment.Note, tt.note)
			}
		})
	}
}

// The hostile texts, made larger than a configuration by a plain log in
// front, leak nothing either; the logs among them are still taken.
func TestHostileTextsPastTheSizeOfAConfiguration(t *testing.T) {
	pad := bigLog(artifacts.MaxConfigBytes + 1)
	for _, h := range artifactstest.HostileUploads() {
		if !bytes.Equal(h.Data, bytes.TrimLeft(h.Data, "\x1f\x8b")) || bytes.HasPrefix(h.Data, []byte("PK")) || len(h.Data) > 262 && string(h.Data[257:262]) == "ustar" || h.Model {
			continue // compressed or archived: not a text
		}
		t.Run(h.Name, func(t *testing.T) {
			t.Parallel()
			data := append(append([]byte(nil), pad...), h.Data...)
			c, _ := checkIn(t, onDisk(t, h.File, data), artifactstest.Redact)
			if h.Kind == setbot.ArtifactLog && !h.Refuse && (!c.OK() || c.Attachment.Kind != setbot.ArtifactLog) {
				t.Errorf("a log refused: %s", c.Problem)
			}
			if h.Refuse && c.OK() {
				t.Errorf("accepted: %s", c.Attachment.Note)
			}
			artifactstest.AssertNoSecretIn(t, c, data)
		})
	}
}

// writePacket writes a support packet whose logs are n bytes each.
func writePacket(t *testing.T, logs ...[]byte) setbot.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "packet.zip")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := zip.NewWriter(out)
	entries := []artifactstest.Entry{{Name: "metadata.yaml", Data: []byte(artifactstest.MetadataYAML)}, {Name: "diagnostics.yaml", Data: []byte(artifactstest.DiagnosticsYAML)},
		{Name: "sanitized_config.json", Data: []byte(artifactstest.SmallConfig)}}
	for i, l := range logs {
		entries = append(entries, artifactstest.Entry{Name: fmt.Sprintf("node%d/mattermost.log", i+1), Data: l})
	}
	for _, e := range entries {
		f, _ := w.Create(e.Name)
		f.Write(e.Data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	st, _ := out.Stat()
	out.Close()
	return setbot.File{ID: "p1", Name: "mattermost_support_packet.zip", Size: st.Size(), Content: setbot.Content{Path: path, Size: st.Size()}}
}

// The logs of a support packet are taken out into temporary files, masked
// into others, and kept as those; nothing else is left.
func TestPacketPartsAreTemporaryFiles(t *testing.T) {
	log1, log2 := bigLog(3<<20), artifactstest.JSONLog(30000)
	f := writePacket(t, log1, log2)
	c, dir := checkIn(t, f, artifactstest.Redact)
	if !c.OK() || c.Packet == nil || len(c.Packet.Parts) != 3 {
		t.Fatalf("problem %q, packet %+v", c.Problem, c.Packet)
	}
	files := 0
	for _, p := range c.Packet.Parts {
		if p.Blob == nil {
			t.Fatalf("part %s has no blob", p.Attachment.Name)
		}
		if p.Blob.Path != "" {
			files++
			if !strings.HasPrefix(p.Blob.Path, dir) {
				t.Errorf("part %s is in %s", p.Attachment.Name, p.Blob.Path)
			}
		}
	}
	if files != 2 {
		t.Errorf("%d parts in files, want the 2 logs", files)
	}
	if es, _ := os.ReadDir(dir); len(es) != files {
		t.Errorf("%d temporary files, want %d (the kept parts only)", len(es), files)
	}
	artifactstest.AssertNoSecretIn(t, c, nil)
}

// A check that fails half way leaves no temporary file behind: not when
// an archive turns out damaged after large members, not when the
// redactor panics in the middle of a support packet.
func TestNoTemporaryFileLeftWhenACheckFails(t *testing.T) {
	t.Run("tar.gz cut short after a large member", func(t *testing.T) {
		tgz := artifactstest.TarGz(artifactstest.Entry{Name: "a.log", Data: bigLog(3 << 20)}, artifactstest.Entry{Name: "b.log", Data: bigLog(3 << 20)})
		c, dir := checkIn(t, onDisk(t, "logs.tar.gz", tgz[:len(tgz)*3/4]), nil)
		if c.OK() || !strings.Contains(c.Problem, "damaged") {
			t.Fatalf("Problem = %q", c.Problem)
		}
		assertEmpty(t, dir)
	})
	t.Run("redactor panics in a packet", func(t *testing.T) {
		f := writePacket(t, bigLog(3<<20), bigLog(3<<20))
		dir := t.TempDir()
		func() {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			artifacts.Check(f, func([]byte) ([]byte, []string, error) { panic("redactor bug") }, artifacts.TempDir(dir))
		}()
		assertEmpty(t, dir)
	})
	t.Run("temporary storage fails", func(t *testing.T) {
		c := artifacts.Check(onDisk(t, "mattermost.log", bigLog(3<<20)), nil, artifacts.TempDir(filepath.Join(t.TempDir(), "gone")))
		if c.OK() || !strings.Contains(c.Problem, "temporary storage failed") {
			t.Fatalf("Problem = %q", c.Problem)
		}
	})
}
