package jira

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/setbot/setbot"
)

// Similar-ticket search limits: setbot's own choices.
const (
	similarWords      = 6    // significant summary words asked about
	similarCandidates = 50   // tickets scored locally
	similarThreshold  = 0.34 // share of summary words in common to count
	signatureFrames   = 5    // stack frames in a signature
	signatureScan     = 1 << 20
)

var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an and are as at be but by can cannot for from has have i in is it its
		not of on or our so that the their them then there they this to was we were when where which while with
		after before does doesn don t s customer customers user users issue problem error errors`) {
		stopWords[w] = true
	}
}

// keywords are the significant words of a summary, in order, deduplicated.
func keywords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f && r != 0x2026)
	}) {
		if len(w) > 2 && !stopWords[w] && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// frameLine is a Go stack frame's function line: "pkg/path.(*T).Method(…)".
var frameLine = regexp.MustCompile(`^\s*([A-Za-z0-9_./\-]+\.(?:\(\*?[A-Za-z0-9_]+\)\.)?[A-Za-z0-9_.\[\]]+)\(`)

// StackSignature returns a label naming a Go stack trace found in text by
// its first few frames outside the runtime ("stack-" and 12 hex digits), or
// "" when text holds no stack trace. Two panics at the same place share it.
func StackSignature(text string) string {
	if len(text) > signatureScan {
		text = text[:signatureScan]
	}
	if !strings.Contains(text, "goroutine ") && !strings.Contains(text, "panic:") {
		return ""
	}
	var frames []string
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() && len(frames) < signatureFrames {
		m := frameLine.FindStringSubmatch(sc.Text())
		if m == nil || strings.HasPrefix(m[1], "runtime.") || strings.HasPrefix(m[1], "panic(") {
			continue
		}
		frames = append(frames, m[1])
	}
	if len(frames) == 0 {
		return ""
	}
	sum := sha256.Sum256([]byte(strings.Join(frames, "\n")))
	return "stack-" + hex.EncodeToString(sum[:6])
}

// signature finds a stack signature in the intake's text, then its files.
func signature(in setbot.Intake, files []setbot.TicketFile) string {
	if s := StackSignature(in.Summary + "\n" + in.Affected + "\n" + in.Impact); s != "" {
		return s
	}
	for _, f := range files {
		if s := StackSignature(string(head(f.Content, signatureScan))); s != "" {
			return s
		}
	}
	return ""
}

// head is the first n bytes of c, or as many as can be read.
func head(c setbot.Content, n int64) []byte {
	r, err := c.Open()
	if err != nil {
		return nil
	}
	defer r.Close()
	b, _ := io.ReadAll(io.LimitReader(r, n))
	return b
}

// Similar returns up to max open tickets in the project whose summary
// shares enough significant words with the intake's, or that carry the same
// stack signature label, best first. The intake's own ticket is left out.
func (c *Client) Similar(ctx context.Context, in setbot.Intake, max int) ([]setbot.Issue, error) {
	if max <= 0 {
		return nil, nil
	}
	words := keywords(in.Summary)
	if len(words) > similarWords {
		words = words[:similarWords]
	}
	sig := signature(in, nil)
	var or []string
	for _, w := range words {
		or = append(or, "summary ~ "+QuoteJQL(w))
	}
	if sig != "" {
		or = append(or, "labels = "+QuoteJQL(sig))
	}
	if len(or) == 0 {
		return nil, nil
	}
	jql := "project = " + QuoteJQL(c.cfg.Project) + " AND statusCategory != Done AND (" + strings.Join(or, " OR ") + ") ORDER BY updated DESC"
	found, err := c.search(ctx, "look for similar tickets", jql, []string{"summary", "status", "labels"}, similarCandidates)
	if err != nil {
		return nil, c.public("similar", err)
	}
	own := fingerprintLabel(in)
	type scored struct {
		b     issueBean
		score float64
	}
	var hits []scored
	for _, b := range found {
		if slices.Contains(b.Fields.Labels, own) {
			continue
		}
		s := overlap(words, keywords(b.Fields.Summary))
		if sig != "" && slices.Contains(b.Fields.Labels, sig) {
			s += 2 // the same crash outranks any wording
		}
		if s >= similarThreshold {
			hits = append(hits, scored{b, s})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	var out []setbot.Issue
	for _, h := range hits[:min(len(hits), max)] {
		out = append(out, c.issue(&h.b))
	}
	return out, nil
}

// overlap is the Jaccard similarity of two word sets.
func overlap(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	common := 0
	for _, w := range a {
		if slices.Contains(b, w) {
			common++
		}
	}
	union := len(a) + len(b) - common
	return float64(common) / float64(union)
}
