package jira

import (
	"strings"
	"testing"

	"github.com/setbot/setbot"
)

func TestBlockCannotBeEscaped(t *testing.T) {
	for _, in := range []string{"{noformat}", "a\n{NOFORMAT}\nh1. x", "{noformat:title=x}", "\x00\x1b[31m{code}"} {
		out := block(in)
		inner := strings.TrimSuffix(strings.TrimPrefix(out, "{noformat}\n"), "\n{noformat}")
		if strings.Contains(strings.ToLower(inner), "{noformat") {
			t.Errorf("block(%q) = %q lets the text close the block", in, out)
		}
		if strings.ContainsAny(inner, "\x00\x1b") {
			t.Errorf("block(%q) kept control characters", in)
		}
	}
}

func TestInlineEscapesMarkup(t *testing.T) {
	tests := map[string]string{
		"Acme * Corp":          `Acme \* Corp`,
		"[evil|http://x]":      `\[evil\|http://x\]`,
		"{color:red}x{color}":  `\{color:red\}x\{color\}`,
		"line1\nh1. line2":     `line1 h1. line2`,
		`back\slash`:           `back\\slash`,
		"-strike- +u+ ^s^ ~b~": `\-strike\- \+u\+ \^s\^ \~b\~`,
		"!image.png! #1 _x_ ?": `\!image.png\! \#1 \_x\_ \?`,
	}
	for in, want := range tests {
		if got := inline(in); got != want {
			t.Errorf("inline(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLinkRejectsOtherSchemes(t *testing.T) {
	if got := link("x", "javascript:alert(1)"); got != "x" {
		t.Errorf("link = %q", got)
	}
	if got := link("a|b", "https://h/p?q=[1]|2"); got != `[a\|b|https://h/p?q=%5B1%5D%7C2]` {
		t.Errorf("link = %q", got)
	}
}

func TestDescriptionFitsJira(t *testing.T) {
	in := setbot.Intake{ID: "1", Summary: "s", Impact: strings.Repeat("日本語 and 😀 text\n", 5000), Affected: strings.Repeat("x", 40000)}
	d := describer{in: in}.describe()
	if n := utf16Len(d); n > maxDescription {
		t.Fatalf("description is %d UTF-16 units", n)
	}
	if strings.Count(d, "{noformat}")%2 != 0 {
		t.Fatal("an open {noformat} block was left")
	}
	if !strings.HasSuffix(d, truncatedNote) {
		t.Fatal("no truncation note")
	}
	short := describer{in: setbot.Intake{ID: "1", Summary: "s"}}.describe()
	if strings.Contains(short, "cut this description") {
		t.Fatal("short description marked as cut")
	}
}

func TestSummaryOneLineWithinLimit(t *testing.T) {
	s := summary(setbot.Intake{Summary: "a\nb\t" + strings.Repeat("😀", 300)})
	if strings.ContainsAny(s, "\n\t") || utf16Len(s) > maxSummary || !strings.HasPrefix(s, "a b ") {
		t.Fatalf("summary %q (%d)", s, utf16Len(s))
	}
}

func TestStackSignature(t *testing.T) {
	a := "panic: x\n\ngoroutine 1 [running]:\nruntime.gopanic()\nmain.(*S).Do(0x1)\n\t/a.go:1\nmain.main()\n"
	b := "2024 log line\npanic: y\ngoroutine 9 [running]:\nmain.(*S).Do(0x2, 0x3)\n\t/b.go:7\nmain.main()\n"
	if StackSignature(a) == "" || StackSignature(a) != StackSignature(b) {
		t.Fatalf("same frames, different signatures: %q %q", StackSignature(a), StackSignature(b))
	}
	if StackSignature("no trace here") != "" || StackSignature(a) == StackSignature(strings.Replace(a, "Do", "Undo", 1)) {
		t.Fatal("signature does not tell traces apart")
	}
}

func BenchmarkQuoteJQL(b *testing.B) {
	s := strings.Repeat(`Server "crash" in a\b`+"\n", 10)
	for b.Loop() {
		QuoteJQL(s)
	}
}

func BenchmarkDescribe(b *testing.B) {
	in := setbot.Intake{ID: "1", Summary: "Server crashes", Impact: strings.Repeat("All users cannot post. ", 200),
		Logs: []setbot.Attachment{{Name: "a.log"}, {Name: "b.log"}}, Permalink: "https://chat.example.com/pl/x"}
	for b.Loop() {
		describer{in: in}.describe()
	}
}

func TestDescriptionIncludesReasonsAndFirstTelling(t *testing.T) {
	d := describer{in: setbot.Intake{ID: "1", Summary: "s", Description: "It broke *again*", NoLogs: "air-gapped site", NoProfile: "no pprof access"}}.describe()
	for _, want := range []string{"*As first told:*\n{noformat}\nIt broke *again*", "*None, because:* air\\-gapped site", "*None, because:* no pprof access"} {
		if !strings.Contains(d, want) {
			t.Errorf("description lacks %q:\n%s", want, d)
		}
	}
}
