package artifacts_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/artifacts"
	"github.com/setbot/setbot/artifacts/artifactstest"
)

// fakeRedact stands in for bot.RedactConfig (bot's own tests run the real one
// through Check).
var fakeRedact = artifactstest.Redact

type want struct {
	kind    setbot.ArtifactKind
	problem string // substring of Problem; "" means accepted
	note    string // substring of Note when accepted
}

func TestCheck(t *testing.T) {
	cpu, err := artifactstest.CPUProfile()
	if err != nil {
		t.Fatal(err)
	}
	heap := artifactstest.HeapProfile()
	tests := []struct {
		name string
		file string
		data []byte
		want want
	}{
		{"cpu profile", "cpu.pprof", cpu, want{kind: setbot.ArtifactCPUProfile, note: "CPU profile"}},
		{"heap profile", "heap.pprof", heap, want{kind: setbot.ArtifactHeapProfile, note: "inuse_space"}},
		{"allocs profile", "allocs.pprof", artifactstest.Profile("allocs", 0), want{kind: setbot.ArtifactHeapProfile, note: "alloc_space"}},
		{"uncompressed heap profile", "heap.pb", mustGunzip(t, heap), want{kind: setbot.ArtifactHeapProfile}},
		{"goroutine dump", "goroutines.txt", artifactstest.GoroutineDump(), want{kind: setbot.ArtifactStackDump, note: "chan receive"}},
		{"gzipped goroutine dump", "goroutines.txt.gz", artifactstest.Gzip(artifactstest.GoroutineDump()), want{kind: setbot.ArtifactStackDump, note: "goroutines"}},
		{"panic trace", "crash.txt", []byte("panic: runtime error: index out of range\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:5 +0x1d\n"), want{kind: setbot.ArtifactStackDump, note: "1 running"}},
		{"json log", "mattermost.log", artifactstest.JSONLog(100), want{kind: setbot.ArtifactLog, note: "JSON lines log, 100 lines"}},
		{"one-line json log", "mattermost.log", artifactstest.JSONLog(1), want{kind: setbot.ArtifactLog, note: "JSON lines log, 1 lines"}},
		{"plain log", "console.log", artifactstest.PlainLog(42), want{kind: setbot.ArtifactLog, note: "plain text log, 42 lines"}},
		{"gzipped log", "mattermost.log.gz", artifactstest.Gzip(artifactstest.JSONLog(3000)), want{kind: setbot.ArtifactLog, note: "gzip-compressed JSON lines log, 3,000 lines"}},
		{"zipped logs", "logs.zip", artifactstest.Zip(artifactstest.Entry{Name: "a.log", Data: artifactstest.JSONLog(10)}, artifactstest.Entry{Name: "b.log", Data: artifactstest.PlainLog(5)}, artifactstest.Entry{Name: "shot.png", Data: artifactstest.PNG()}), want{kind: setbot.ArtifactLog, note: "zip of 2 JSON lines log(s), 15 lines; not logs, ignored: shot.png"}},
		{"config", "config.json", []byte(artifactstest.SmallConfig), want{kind: setbot.ArtifactConfig, note: "3 secret settings redacted"}},

		{"png named cpu.pprof", "cpu.pprof", artifactstest.PNG(), want{problem: "`cpu.pprof` is a PNG image, not a CPU profile. Capture one while the CPU is high: `curl -o cpu.pprof"}},
		{"png named heap", "heap.pprof", artifactstest.PNG(), want{problem: "/debug/pprof/heap"}},
		{"truncated gzip", "mattermost.log.gz", artifactstest.TruncatedGzip(), want{problem: "is damaged or cut short"}},
		{"not a gzip at all after magic", "x.gz", []byte{0x1f, 0x8b, 0, 0}, want{problem: "damaged gzip"}},
		{"json not a config", "config.json", []byte(`{"name": "my-app", "version": "1.0.0", "dependencies": {}}`), want{problem: "not a Mattermost configuration. Upload config.json"}},
		{"config without redactor", "config.json", []byte(artifactstest.SmallConfig), want{problem: "cannot check configurations"}},
		{"zip bomb", "logs.zip", artifactstest.ZipBomb(), want{problem: "looks like a zip bomb"}},
		{"goroutine profile in pprof form", "goroutines.pprof", artifactstest.Profile("goroutine", 0), want{problem: "goroutine profile in pprof form"}},
		{"block profile", "cpu.pprof", artifactstest.Profile("block", 0), want{problem: "contention profile, not a CPU or heap profile"}},
		{"text heap profile", "heap.txt", artifactstest.Profile("heap", 1), want{problem: "text form (debug=1)"}},
		{"empty", "mattermost.log", nil, want{problem: "is empty"}},
		{"random binary", "blob.bin", []byte{0x00, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x10}, want{problem: "binary data I do not recognise"}},
		{"headers without frames", "goroutines.txt", []byte("goroutine 1 [running]:\n"), want{problem: "no stack frames"}},
		{"zip with no logs", "logs.zip", artifactstest.Zip(artifactstest.Entry{Name: "a.png", Data: artifactstest.PNG()}), want{problem: "holds no text logs"}},
		{"damaged zip", "logs.zip", []byte("PK\x03\x04garbage"), want{problem: "damaged zip"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			redact := artifacts.ConfigRedactor(fakeRedact)
			if tt.name == "config without redactor" {
				redact = nil
			}
			c := artifacts.Check(setbot.File{ID: "f1", Name: tt.file, Content: setbot.Content{Data: tt.data}, Size: int64(len(tt.data))}, redact)
			if tt.want.problem != "" {
				if c.OK() || !strings.Contains(c.Problem, tt.want.problem) {
					t.Fatalf("Problem = %q, want it to contain %q", c.Problem, tt.want.problem)
				}
				if c.Blob != nil || c.Attachment.Kind != setbot.ArtifactUnknown {
					t.Errorf("refused file kept: kind %v, blob %v", c.Attachment.Kind, c.Blob)
				}
				return
			}
			if !c.OK() {
				t.Fatalf("refused: %s", c.Problem)
			}
			if c.Attachment.Kind != tt.want.kind {
				t.Errorf("Kind = %v, want %v", c.Attachment.Kind, tt.want.kind)
			}
			if !strings.Contains(c.Attachment.Note, tt.want.note) {
				t.Errorf("Note = %q, want it to contain %q", c.Attachment.Note, tt.want.note)
			}
			if c.Attachment.FileID != "f1" {
				t.Errorf("FileID = %q", c.Attachment.FileID)
			}
		})
	}
}

func mustGunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	out, err := gunzipForTest(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestConfigIsOnlyKeptRedacted(t *testing.T) {
	c := artifacts.Check(setbot.File{Name: "config.json", Content: setbot.Content{Data: []byte(artifactstest.SmallConfig)}}, fakeRedact)
	if !c.OK() {
		t.Fatal(c.Problem)
	}
	if c.Blob == nil {
		t.Fatal("no blob")
	}
	blob := artifactstest.ReadContent(t, *c.Blob)
	if bytes.Contains(blob, []byte("hunter2")) || bytes.Contains(blob, []byte("giphy-secret")) {
		t.Fatalf("blob not redacted: %s", blob)
	}
	if c.Attachment.BlobKey != artifacts.BlobKey(blob) || !strings.HasPrefix(c.Attachment.BlobKey, "sha256:") {
		t.Errorf("BlobKey = %q", c.Attachment.BlobKey)
	}
	if got := c.Blobs(); len(got) != 1 || !bytes.Equal(artifactstest.ReadContent(t, got[c.Attachment.BlobKey]), blob) {
		t.Errorf("Blobs() = %d entries", len(got))
	}
}

func TestSupportPacket(t *testing.T) {
	packet, err := artifactstest.SupportPacket([]byte(artifactstest.SmallConfig))
	if err != nil {
		t.Fatal(err)
	}
	c := artifacts.Check(setbot.File{ID: "p1", Name: "mattermost_support_packet_2026-03-02.zip", Content: setbot.Content{Data: packet}}, fakeRedact)
	if !c.OK() {
		t.Fatal(c.Problem)
	}
	if c.Attachment.Kind != setbot.ArtifactSupportPacket || c.Packet == nil {
		t.Fatalf("kind %v, packet %v", c.Attachment.Kind, c.Packet)
	}
	p := c.Packet
	if p.Version != "10.11.4" {
		t.Errorf("Version = %q", p.Version)
	}
	if p.Database != (setbot.Database{Type: "PostgreSQL", Version: "15.4"}) {
		t.Errorf("Database = %+v", p.Database)
	}
	kinds := map[setbot.ArtifactKind]int{}
	for _, part := range p.Parts {
		kinds[part.Attachment.Kind]++
		if part.Blob == nil {
			t.Fatalf("part %s has no blob", part.Attachment.Name)
		}
		blob := artifactstest.ReadContent(t, *part.Blob)
		if part.Attachment.BlobKey != artifacts.BlobKey(blob) {
			t.Errorf("part %s: BlobKey does not name its blob", part.Attachment.Name)
		}
		if bytes.Contains(blob, []byte("hunter2")) {
			t.Errorf("part %s holds a secret", part.Attachment.Name)
		}
	}
	wantKinds := map[setbot.ArtifactKind]int{setbot.ArtifactConfig: 1, setbot.ArtifactLog: 2, setbot.ArtifactCPUProfile: 1, setbot.ArtifactHeapProfile: 1, setbot.ArtifactStackDump: 1}
	for k, n := range wantKinds {
		if kinds[k] != n {
			t.Errorf("%d parts of kind %s, want %d", kinds[k], artifacts.KindName(k), n)
		}
	}
	if len(c.Blobs()) != len(p.Parts) {
		t.Errorf("Blobs() = %d, want %d", len(c.Blobs()), len(p.Parts))
	}
	if !strings.Contains(c.Attachment.Note, "Mattermost 10.11.4, PostgreSQL 15.4") {
		t.Errorf("Note = %q", c.Attachment.Note)
	}
}

func TestOldSupportPacket(t *testing.T) {
	old := artifactstest.Zip(
		artifactstest.Entry{Name: "support_packet.yaml", Data: []byte("server_version: 9.5.2\ndatabase_type: mysql\ndatabase_version: 8.0.32\n")},
		artifactstest.Entry{Name: "node-1/mattermost.log", Data: artifactstest.PlainLog(3)},
	)
	c := artifacts.Check(setbot.File{Name: "packet.zip", Content: setbot.Content{Data: old}}, nil)
	if !c.OK() || c.Packet == nil {
		t.Fatalf("refused: %s", c.Problem)
	}
	if c.Packet.Version != "9.5.2" || c.Packet.Database != (setbot.Database{Type: "MySQL", Version: "8.0.32"}) {
		t.Errorf("facts = %+v", c.Packet)
	}
	if len(c.Packet.Parts) != 1 || c.Packet.Parts[0].Attachment.Name != "node-1-mattermost.log" {
		t.Errorf("parts = %+v", c.Packet.Parts)
	}
}

func TestTooLarge(t *testing.T) {
	c := artifacts.Check(setbot.File{Name: "config.json", Content: setbot.Content{Data: append([]byte(`{"a":"`), append(bytes.Repeat([]byte("x"), artifacts.MaxConfigBytes), []byte(`"}`)...)...)}}, fakeRedact)
	if c.OK() || !strings.Contains(c.Problem, "far smaller") {
		t.Errorf("Problem = %q", c.Problem)
	}
}

func TestDisplayNameIsSafe(t *testing.T) {
	c := artifacts.Check(setbot.File{Name: "@channel`\n# x.png", Content: setbot.Content{Data: artifactstest.PNG()}}, nil)
	if strings.Contains(c.Problem, "\n") || !strings.Contains(c.Problem, "`@channel__# x.png`") {
		t.Errorf("Problem = %q", c.Problem)
	}
}
