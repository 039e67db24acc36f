package conversations

import (
	"strings"
	"unicode/utf8"
)

// zwj (zero-width joiner) after an '@' stops Mattermost from reading a
// mention (@channel, @all, @here, @user) while the text looks the same.
const zwj = "\u200d"

// inlineSpecial are the characters that start markdown inline formatting in
// Mattermost: emphasis, code, links, HTML, headings, tables, strikethrough,
// LaTeX.
const inlineSpecial = "\\`*_[]<>#|~$"

// Quote makes user text safe to repeat inside a line of a post: newlines
// become spaces, mentions are neutralised and markdown characters escaped,
// so it renders as typed and cannot notify anyone or break the post.
func Quote(s string) string {
	s = strings.Join(strings.Fields(strings.Map(dropControl, s)), " ")
	return escapeLine(s, false)
}

// QuoteBlock makes multi-line user text safe to repeat as a block quote:
// every line, empty ones included, starts with "> ".
func QuoteBlock(s string) string {
	s = strings.Map(dropControl, strings.ReplaceAll(s, "\r\n", "\n"))
	lines := strings.Split(strings.TrimRight(s, "\n "), "\n")
	for i, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			lines[i] = ">"
			continue
		}
		lines[i] = "> " + escapeLine(strings.TrimLeft(l, " \t"), true)
	}
	return strings.Join(lines, "\n")
}

func dropControl(r rune) rune {
	switch {
	case r == '\n' || r == '\t':
		return r
	case r < ' ' || r == 0x7f || r == '\u2028' || r == '\u2029':
		return ' '
	}
	return r
}

func escapeLine(s string, lineStart bool) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	if lineStart {
		s = escapeLeader(&b, s)
	}
	for _, r := range s {
		switch {
		case r == '@':
			b.WriteString("@" + zwj)
		case r < utf8.RuneSelf && strings.ContainsRune(inlineSpecial, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapeLeader escapes what makes a line a list item, a thematic break or
// a setext heading underline ("- ", "+ ", "=", "1. "), and returns the rest.
func escapeLeader(b *strings.Builder, s string) string {
	if s == "" {
		return s
	}
	if s[0] == '-' || s[0] == '+' || s[0] == '=' {
		b.WriteByte('\\')
		b.WriteByte(s[0])
		return s[1:]
	}
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') {
		b.WriteString(s[:i])
		b.WriteByte('\\')
		b.WriteByte(s[i])
		return s[i+1:]
	}
	return s
}

// clip cuts quoted text to at most n runes, ending with "…" when cut, and
// never leaves a dangling escape backslash.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:max(n-1, 0)]
	k := 0
	for i := len(r) - 1; i >= 0 && r[i] == '\\'; i-- {
		k++
	}
	if k%2 == 1 {
		r = r[:len(r)-1]
	}
	if len(r) > 0 && r[len(r)-1] == '@' { // keep the joiner with its '@'
		r = append(r, []rune(zwj)...)
	}
	return string(r) + "…"
}
