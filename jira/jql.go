package jira

import (
	"fmt"
	"strings"
)

// QuoteJQL returns s as a JQL string literal: double-quoted, with backslash,
// double quote, tab, newline and carriage return escaped as \\ \" \t \n \r and
// every other control character as \uXXXX. User text reaches JQL only through
// this function; strconv.Quote is not a JQL quoter (it emits \x and \a
// escapes JQL does not know).
func QuoteJQL(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 {
				fmt.Fprintf(&b, `\u%04x`, r)
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// UnquoteJQL reverses QuoteJQL for a double-quoted JQL literal. It exists so
// that the fake Jira can read the JQL setbot sends, and so that the quoting
// is tested by a round trip.
func UnquoteJQL(q string) (string, error) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", fmt.Errorf("jql literal %q: not double-quoted", q)
	}
	in := []rune(q[1 : len(q)-1])
	var b strings.Builder
	for i := 0; i < len(in); i++ {
		r := in[i]
		if r == '"' {
			return "", fmt.Errorf("jql literal %q: unescaped quote", q)
		}
		if r != '\\' {
			b.WriteRune(r)
			continue
		}
		i++
		if i >= len(in) {
			return "", fmt.Errorf("jql literal %q: trailing backslash", q)
		}
		switch in[i] {
		case '\\', '"', '\'', ' ':
			b.WriteRune(in[i])
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'u':
			if i+4 >= len(in) {
				return "", fmt.Errorf("jql literal %q: short \\u escape", q)
			}
			var v rune
			if _, err := fmt.Sscanf(string(in[i+1:i+5]), "%04x", &v); err != nil {
				return "", fmt.Errorf("jql literal %q: bad \\u escape", q)
			}
			b.WriteRune(v)
			i += 4
		default:
			return "", fmt.Errorf("jql literal %q: unknown escape \\%c", q, in[i])
		}
	}
	return b.String(), nil
}
