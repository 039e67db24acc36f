package artifacts

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
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
	// redacted configuration, a masked log, a file taken out of a support
	// packet); nil when the original is fine. Attachment.BlobKey names it.
	// A large Blob is a temporary file: the caller keeps what it needs of
	// it (store.Tx.PutBlobFile), then calls Remove.
	Blob *setbot.Content
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
func (c Checked) Blobs() map[string]setbot.Content {
	m := map[string]setbot.Content{}
	add := func(c Checked) {
		if c.Blob != nil {
			m[c.Attachment.BlobKey] = *c.Blob
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

// Remove removes the temporary files of c's blobs. Safe to call on any
// Checked, more than once.
func (c Checked) Remove() {
	for _, b := range c.Blobs() {
		if b.Path != "" {
			os.Remove(b.Path)
		}
	}
}

// BlobKey is the store key of content: "sha256:" and its hex digest.
func BlobKey(content []byte) string {
	sum := sha256.Sum256(content)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func withBlob(a setbot.Attachment, b kept) Checked {
	a.BlobKey = b.key
	return Checked{Attachment: a, Blob: &b.content}
}

func refuse(f setbot.File, format string, args ...any) Checked {
	return Checked{
		Attachment: setbot.Attachment{Name: f.Name, FileID: f.ID, Size: f.Content.Len()},
		Problem:    fmt.Sprintf(format, args...),
	}
}

// refuseUnreadable refuses a file that could not be read back (err), or
// whose checking failed on setbot's own temporary storage.
func refuseUnreadable(f setbot.File, err error) Checked {
	if errors.Is(err, errScratch) {
		return refuseScratch(f)
	}
	return refuse(f, "%s could not be read. Upload it again.", displayName(f.Name))
}

// refuseMasking refuses a file whose masked copy could not be written.
func refuseMasking(f setbot.File, err error) Checked {
	if errors.Is(err, errScratch) {
		return refuseScratch(f)
	}
	return refuse(f, "%s could not be read to mask its secrets. Upload it again.", displayName(f.Name))
}

func refuseScratch(f setbot.File) Checked {
	return refuse(f, "I could not check %s just now: my own temporary storage failed, not your file. Upload it again in a while.", displayName(f.Name))
}

// Check recognises an uploaded file by its content, whatever its name, and
// checks it. It never fails: a file it cannot accept comes back with Problem
// set. It fails closed on secrets: anything that holds configuration
// settings (on its own, gzip-compressed, or inside a zip or tar archive) is
// redacted through redact or refused (with a nil redact, refused); logs are
// kept with their secrets masked; an archive is kept only as rebuilt from
// its checked members. Whenever the kept content differs from the upload,
// Blob holds it.
//
// Large content is streamed, never held whole in memory: it is read from
// f.Content afresh for each pass, and what is kept is written to temporary
// files (TempDir). Every temporary file the result does not hold is
// removed before Check returns, also when it panics (a redactor's bug).
// Profiles and goroutine dumps are still decoded in memory, within their
// limits (MaxProfileBytes, MaxProfileUnpackedBytes).
func Check(f setbot.File, redact ConfigRedactor, opts ...Option) (c Checked) {
	k := &checker{redact: redact, tmp: &scratch{}}
	for _, o := range opts {
		o(k)
	}
	defer k.tmp.keepOnly(&c)
	return k.check(f)
}

func (k *checker) check(f setbot.File) Checked {
	name := displayName(f.Name)
	size := f.Content.Len()
	if size == 0 {
		return refuse(f, "%s is empty. Upload the file again.", name)
	}
	if size > MaxUploadBytes {
		return refuse(f, "%s is %s, more than I accept (%s). %s", name, HumanBytes(size), HumanBytes(MaxUploadBytes), howTo(intent(f.Name)))
	}
	r, err := f.Content.Open()
	if err != nil {
		return refuseUnreadable(f, err)
	}
	defer r.Close()
	head, err := readHead(r)
	if err != nil {
		return refuseUnreadable(f, err)
	}
	switch {
	case isZip(head):
		return k.checkZip(f, r)
	case isGzip(head):
		return k.checkGzip(f)
	case isTar(head):
		return k.checkTar(f, io.NewSectionReader(r, 0, size), false)
	case isText(head):
		return k.checkText(f, head)
	}
	return checkBinary(f, head)
}

// checkBinary checks binary content that is not an archive: an
// uncompressed pprof profile, decoded in memory. A file larger than any
// profile setbot accepts is not decoded at all.
func checkBinary(f setbot.File, head []byte) Checked {
	if f.Content.Len() <= MaxProfileBytes {
		raw, err := readAll(contentOpener(f.Content), MaxProfileBytes)
		if err != nil {
			return refuseUnreadable(f, err)
		}
		if c, ok := checkProfile(f, raw); ok {
			return c
		}
	}
	return refuse(f, "%s is %s, not %s. %s", displayName(f.Name), describeBinary(head), want(intent(f.Name)), howTo(intent(f.Name)))
}

// checkText checks a text upload. One that fits in MaxConfigBytes is read
// whole and classified as a configuration, a goroutine dump or a log; a
// larger one cannot be a configuration setbot keeps, and is classified as
// it streams past (checkLargeText).
func (k *checker) checkText(f setbot.File, head []byte) Checked {
	if f.Content.Len() > MaxConfigBytes {
		return k.checkLargeText(f, head)
	}
	data, err := readAll(contentOpener(f.Content), MaxConfigBytes)
	if err != nil {
		return refuseUnreadable(f, err)
	}
	switch {
	case holdsConfig(data), looksLikeJSONDocument(bytes.TrimSpace(stripBOM(bytes.TrimSpace(data)))):
		return checkConfig(f, data, k.redact)
	case looksLikeStackDump(data):
		return checkStackDump(f, data, f.Content.Len())
	}
	if c, ok := refuseTextProfile(f, data); ok {
		return c
	}
	return k.checkLog(f)
}

// refuseTextProfile refuses a profile written as text (debug=1), which
// cannot be checked; ok is false for any other text.
func refuseTextProfile(f setbot.File, head []byte) (c Checked, ok bool) {
	trimmed := bytes.TrimSpace(head)
	if !bytes.HasPrefix(trimmed, []byte("heap profile:")) && !bytes.HasPrefix(trimmed, []byte("goroutine profile:")) {
		return Checked{}, false
	}
	k := setbot.ArtifactHeapProfile
	if bytes.HasPrefix(trimmed, []byte("goroutine")) {
		k = setbot.ArtifactStackDump
	}
	return refuse(f, "%s is a profile in text form (debug=1), which I cannot check. %s", displayName(f.Name), howTo(k)), true
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
