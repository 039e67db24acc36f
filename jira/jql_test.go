package jira

import (
	"strings"
	"testing"
)

func TestQuoteJQL(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, `""`},
		{`plain`, `"plain"`},
		{`a\b`, `"a\\b"`},
		{`say "hi"`, `"say \"hi\""`},
		{`\"`, `"\\\""`},
		{"line1\nline2", `"line1\nline2"`},
		{"tab\there", `"tab\there"`},
		{"cr\r", `"cr\r"`},
		{"bell\a", `"bell\u0007"`},
		{"nul\x00", `"nul\u0000"`},
		{"esc\x1b[0m", `"esc\u001b[0m"`},
		{"del\x7f", `"del\u007f"`},
		{"c1\u0085", `"c1\u0085"`},
		{"ls\u2028", `"ls\u2028"`},
		{`x" OR project = "OTHER`, `"x\" OR project = \"OTHER"`},
		{`trailing\`, `"trailing\\"`},
		{`'single'`, `"'single'"`},
		{"naïve ✓ 日本", `"naïve ✓ 日本"`},
	}
	for _, tt := range tests {
		got := QuoteJQL(tt.in)
		if got != tt.want {
			t.Errorf("QuoteJQL(%q) = %s, want %s", tt.in, got, tt.want)
		}
		back, err := UnquoteJQL(got)
		if err != nil || back != tt.in {
			t.Errorf("UnquoteJQL(%s) = %q, %v; want %q", got, back, err, tt.in)
		}
	}
}

// TestQuoteJQLNeverBreaksOut checks that no input produces an unescaped quote
// or a raw control character inside the literal.
func TestQuoteJQLNeverBreaksOut(t *testing.T) {
	var all strings.Builder
	for r := rune(0); r < 0x300; r++ {
		all.WriteRune(r)
	}
	inputs := []string{all.String(), `\\\"\\"`, "\"\n\"", strings.Repeat(`\`, 7) + `"`}
	for _, in := range inputs {
		q := QuoteJQL(in)
		body := q[1 : len(q)-1]
		for i := 0; i < len(body); i++ {
			c := body[i]
			if c == '\\' {
				i++ // skip the escaped character
				continue
			}
			if c == '"' {
				t.Fatalf("QuoteJQL(%q): unescaped quote at %d in %s", in, i, q)
			}
			if c < 0x20 || c == 0x7f {
				t.Fatalf("QuoteJQL(%q): raw control %#x in %s", in, c, q)
			}
		}
		if back, err := UnquoteJQL(q); err != nil || back != in {
			t.Fatalf("round trip of %q failed: %q, %v", in, back, err)
		}
	}
}

func TestUnquoteJQLRejects(t *testing.T) {
	for _, bad := range []string{`abc`, `"abc`, `"a"b"`, `"a\"`, `"\q"`, `"\u12"`} {
		if _, err := UnquoteJQL(bad); err == nil {
			t.Errorf("UnquoteJQL(%s) accepted", bad)
		}
	}
}

func FuzzQuoteJQL(f *testing.F) {
	f.Add("a\"b\\c\n\x01")
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8Valid(s) {
			t.Skip()
		}
		back, err := UnquoteJQL(QuoteJQL(s))
		if err != nil || back != s {
			t.Fatalf("round trip of %q: %q, %v", s, back, err)
		}
	})
}
