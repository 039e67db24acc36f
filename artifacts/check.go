package artifacts

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/setbot/setbot"
)

// ConfigRedactor checks that data is a Mattermost configuration and returns
// it with every secret replaced, and the dotted names of the settings it
// replaced. An error that is not a *setbot.Error means "not a Mattermost
// configuration" as well. bot.RedactConfig implements it.
type ConfigRedactor func(data []byte) (redacted []byte, fields []string, err error)

// Checked is the outcome of checking one uploaded file.
type Checked struct {
	// Attachment describes the file; Kind is ArtifactUnknown when refused.
	Attachment setbot.Attachment
	// Blob is the content to keep and send instead of the original (a
	// redacted configuration, a file taken out of a support packet); nil when
	// the original is fine. Attachment.BlobKey names it.
	Blob []byte
	// Problem is the sentence that refuses the file; empty when accepted.
	Problem string
	// Packet holds what a support packet told us; nil for other files.
	Packet *PacketFacts
}

// OK reports whether the file was accepted.
func (c Checked) OK() bool { return c.Problem == "" }

// Blobs returns every blob the check produced, by key: the file's own and
// those of a support packet's parts. The dispatcher stores them all in the
// transaction that commits the intake step.
func (c Checked) Blobs() map[string][]byte {
	m := map[string][]byte{}
	add := func(c Checked) {
		if c.Blob != nil {
			m[c.Attachment.BlobKey] = c.Blob
		}
	}
	add(c)
	if c.Packet != nil {
		for _, p := range c.Packet.Parts {
			add(p)
		}
	}
	return m
}

// BlobKey is the store key of content: "sha256:" and its hex digest.
func BlobKey(content []byte) string {
	sum := sha256.Sum256(content)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func withBlob(a setbot.Attachment, blob []byte) Checked {
	a.BlobKey = BlobKey(blob)
	return Checked{Attachment: a, Blob: blob}
}

func refuse(f setbot.File, format string, args ...any) Checked {
	return Checked{
		Attachment: setbot.Attachment{Name: f.Name, FileID: f.ID, Size: int64(len(f.Content.Data))},
		Problem:    fmt.Sprintf(format, args...),
	}
}

// Check recognises an uploaded file by its content, whatever its name, and
// checks it. It never fails: a file it cannot accept comes back with Problem
// set. It fails closed on secrets: anything that holds configuration
// settings (on its own, gzip-compressed, or inside a zip or tar archive) is
// redacted through redact or refused (with a nil redact, refused); logs are
// kept with their secrets masked; an archive is kept only as rebuilt from
// its checked members. Whenever the kept content differs from the upload,
// Blob holds it.
func Check(f setbot.File, redact ConfigRedactor) Checked {
	name := displayName(f.Name)
	if len(f.Content.Data) == 0 {
		return refuse(f, "%s is empty. Upload the file again.", name)
	}
	if len(f.Content.Data) > MaxUploadBytes {
		return refuse(f, "%s is %s, more than I accept (%s). %s", name, HumanBytes(int64(len(f.Content.Data))), HumanBytes(MaxUploadBytes), howTo(intent(f.Name)))
	}
	data := f.Content.Data
	switch {
	case isZip(data):
		return checkZip(f, redact)
	case isGzip(data):
		return checkGzip(f, redact)
	case isTar(data):
		return checkTar(f, bytes.NewReader(data), false, redact)
	}
	if isText(head(data)) {
		return checkText(f, redact)
	}
	if c, ok := checkProfile(f, data); ok {
		return c
	}
	return refuse(f, "%s is %s, not %s. %s", name, describeBinary(data), want(intent(f.Name)), howTo(intent(f.Name)))
}

func checkText(f setbot.File, redact ConfigRedactor) Checked {
	name := displayName(f.Name)
	data := f.Content.Data
	trimmed := bytes.TrimSpace(data)
	switch {
	case holdsConfig(data), looksLikeJSONDocument(bytes.TrimSpace(stripBOM(trimmed))):
		return checkConfig(f, data, redact)
	case looksLikeStackDump(data):
		return checkStackDump(f, int64(len(f.Content.Data)))
	case bytes.HasPrefix(trimmed, []byte("heap profile:")), bytes.HasPrefix(trimmed, []byte("goroutine profile:")):
		k := setbot.ArtifactHeapProfile
		if bytes.HasPrefix(trimmed, []byte("goroutine")) {
			k = setbot.ArtifactStackDump
		}
		return refuse(f, "%s is a profile in text form (debug=1), which I cannot check. %s", name, howTo(k))
	}
	return checkLog(f)
}

// intent is what a file's name says it should be.
func intent(name string) setbot.ArtifactKind {
	n := strings.ToLower(path.Base(strings.ReplaceAll(name, `\`, "/")))
	switch {
	case strings.Contains(n, "packet"), strings.Contains(n, "support"):
		return setbot.ArtifactSupportPacket
	case strings.Contains(n, "cpu"), strings.HasPrefix(n, "profile"):
		return setbot.ArtifactCPUProfile
	case strings.Contains(n, "heap"), strings.Contains(n, "mem"), strings.Contains(n, "alloc"):
		return setbot.ArtifactHeapProfile
	case strings.Contains(n, "goroutine"), strings.Contains(n, "stack"), strings.Contains(n, "dump"), strings.Contains(n, "thread"):
		return setbot.ArtifactStackDump
	case strings.Contains(n, "config"):
		return setbot.ArtifactConfig
	case strings.Contains(n, "log"):
		return setbot.ArtifactLog
	}
	return setbot.ArtifactUnknown
}

// KindName is what a person calls a kind of artifact.
func KindName(k setbot.ArtifactKind) string {
	switch k {
	case setbot.ArtifactConfig:
		return "Mattermost configuration"
	case setbot.ArtifactLog:
		return "log"
	case setbot.ArtifactCPUProfile:
		return "CPU profile"
	case setbot.ArtifactHeapProfile:
		return "heap profile"
	case setbot.ArtifactStackDump:
		return "goroutine dump"
	case setbot.ArtifactSupportPacket:
		return "support packet"
	}
	return "file"
}

func want(k setbot.ArtifactKind) string {
	if k == setbot.ArtifactUnknown {
		return "a file I can use (a config.json, logs, a pprof profile, a goroutine dump or a support packet)"
	}
	return "a " + KindName(k)
}

// HowTo is the sentence that says how to get an artifact of kind k.
func HowTo(k setbot.ArtifactKind) string { return howTo(k) }

func howTo(k setbot.ArtifactKind) string {
	const pprof = "http://<server>:8067/debug/pprof" // the metrics listener, System Console > Environment > Performance Monitoring
	switch k {
	case setbot.ArtifactConfig:
		return "Upload config.json from the server's config directory, or export it with `mmctl config show --json > config.json`."
	case setbot.ArtifactLog:
		return "Upload mattermost.log from the server's logs directory (plain, .gz or .zip), or download it from System Console > Reporting > Server Logs."
	case setbot.ArtifactCPUProfile:
		return "Capture one while the CPU is high: `curl -o cpu.pprof '" + pprof + "/profile?seconds=30'` (needs System Console > Environment > Performance Monitoring enabled), or download a support packet from System Console > Commercial Support."
	case setbot.ArtifactHeapProfile:
		return "Capture one while memory is high: `curl -o heap.pprof '" + pprof + "/heap'` (needs System Console > Environment > Performance Monitoring enabled), or download a support packet from System Console > Commercial Support."
	case setbot.ArtifactStackDump:
		return "Capture one while it is stuck: `curl -o goroutines.txt '" + pprof + "/goroutine?debug=2'` (needs System Console > Environment > Performance Monitoring enabled), or download a support packet from System Console > Commercial Support."
	case setbot.ArtifactSupportPacket:
		return "Download a support packet from System Console > Commercial Support > Download Support Packet, or with `mmctl system supportpacket`."
	}
	return "I accept a config.json, logs, pprof profiles, goroutine dumps and support packets."
}

func isZip(b []byte) bool {
	return bytes.HasPrefix(b, []byte("PK\x03\x04")) || bytes.HasPrefix(b, []byte("PK\x05\x06"))
}
func isGzip(b []byte) bool { return len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b }

func head(b []byte) []byte {
	if len(b) > sniffBytes {
		return b[:sniffBytes]
	}
	return b
}

// describeBinary names what binary content is, for a refusal.
func describeBinary(b []byte) string {
	ct := http.DetectContentType(b)
	switch {
	case strings.HasPrefix(ct, "image/"):
		return "a " + strings.ToUpper(strings.TrimPrefix(ct, "image/")) + " image"
	case ct == "application/pdf":
		return "a PDF document"
	case ct == "application/x-rar-compressed":
		return "a RAR archive"
	case strings.HasPrefix(ct, "video/"), strings.HasPrefix(ct, "audio/"):
		return "a media file"
	}
	return "binary data I do not recognise"
}

// displayName is a file name safe to put in a sentence: the base name, cut
// to 80 runes, in a code span (so no mention or markdown in it is live).
func displayName(name string) string {
	n := path.Base(strings.ReplaceAll(name, `\`, "/"))
	if n == "." || n == "/" || n == "" {
		return "the file"
	}
	n = strings.Map(func(r rune) rune {
		if r < ' ' || r == '`' || r == 0x7f {
			return '_'
		}
		return r
	}, n)
	if r := []rune(n); len(r) > 80 {
		n = string(r[:80]) + "…"
	}
	return "`" + n + "`"
}

// HumanBytes writes a size for a sentence: "12 MiB", "3 KiB", "512 bytes".
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
