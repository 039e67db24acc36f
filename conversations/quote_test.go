package conversations

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// liveMention is how Mattermost finds a mention: '@' directly followed by a
// username character.
var liveMention = regexp.MustCompile(`@[a-zA-Z0-9._-]`)

func TestQuoteNeutralisesMentions(t *testing.T) {
	for _, in := range []string{"@channel look", "hey @all and @here", "ping @alice.smith!", "mail bob@example.com", "@@here", "line1\n@channel"} {
		for name, out := range map[string]string{"Quote": Quote(in), "QuoteBlock": QuoteBlock(in)} {
			if liveMention.MatchString(out) {
				t.Errorf("%s(%q) = %q: a mention is live", name, in, out)
			}
			if strings.ReplaceAll(strings.ReplaceAll(out, zwj, ""), "> ", "") == "" {
				t.Errorf("%s(%q) lost the text", name, in)
			}
		}
	}
}

func TestQuoteEscapesMarkdown(t *testing.T) {
	cases := map[string]string{
		"**bold** _it_ `code`":         `\*\*bold\*\* \_it\_ \` + "`" + `code\` + "`",
		"[link](http://x) <b>":         `\[link\](http://x) \<b\>`,
		"# not a heading | cell ~~s~~": `\# not a heading \| cell \~\~s\~\~`,
		"a\nb\r\nc":                    "a b c",
		"10.11.4 is fine, so is 5%":    "10.11.4 is fine, so is 5%",
		"$x$ latex":                    `\$x\$ latex`,
	}
	for in, want := range cases {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQuoteBlock(t *testing.T) {
	in := "first\n\n- item\n---\n===\n1. one\n```\ncode\n```\n    indented"
	want := "> first\n>\n> \\- item\n> \\---\n> \\===\n> 1\\. one\n> \\`\\`\\`\n> code\n> \\`\\`\\`\n> indented"
	if got := QuoteBlock(in); got != want {
		t.Errorf("QuoteBlock =\n%s\nwant\n%s", got, want)
	}
	for _, l := range strings.Split(QuoteBlock("a\n\n\nb\n"), "\n") {
		if !strings.HasPrefix(l, ">") {
			t.Errorf("line %q leaves the quote", l)
		}
	}
}

func TestClip(t *testing.T) {
	q := Quote(strings.Repeat("*", 50))
	c := clip(q, 11)
	if utf8.RuneCountInString(c) > 11 || strings.HasSuffix(strings.TrimSuffix(c, "…"), `\`) && !strings.HasSuffix(strings.TrimSuffix(c, "…"), `\*`) {
		t.Errorf("clip = %q", c)
	}
	if got := clip(Quote("@here"), 2); liveMention.MatchString(got) {
		t.Errorf("clip broke the joiner: %q", got)
	}
}
