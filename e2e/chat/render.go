package chat

import (
	"fmt"
	"regexp"
	"strings"
)

// style turns Markdown's emphasis into terminal escapes, or into nothing when
// the output is not a terminal.
type style struct {
	bold, code, dim, warn, reset string
}

// ansi is the style of a colour terminal; plain (the zero style) is for
// scripts, pipes and NO_COLOR.
var ansi = style{bold: "\x1b[1m", code: "\x1b[36m", dim: "\x1b[2m", warn: "\x1b[33m", reset: "\x1b[0m"}

func (s style) on(code, text string) string {
	if code == "" {
		return text
	}
	return code + text + s.reset
}

var (
	listItem    = regexp.MustCompile(`^(\s*)[-*+] (.*)$`)
	heading     = regexp.MustCompile(`^#{1,6} (.*)$`)
	tableRule   = regexp.MustCompile(`^\|?(\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$`)
	inlineLink  = regexp.MustCompile(`\[([^\]]*)\]\(([^)\s]+)\)`)
	angleLink   = regexp.MustCompile(`<(https?://[^>\s]+)>`)
	boldSpan    = regexp.MustCompile(`\*\*([^*]+)\*\*|__([^_]+)__`)
	escapedChar = regexp.MustCompile(`\\([\\` + "`" + `*_{}\[\]()#+\-.!|>~])`)
)

// Markdown renders a post's Markdown as lines a person reads in a terminal:
// bold is bold (or plain), list items get bullets, code keeps its backticks
// (coloured on a terminal) and code blocks are indented, and links are
// shown as their text with the address in brackets.
func (s style) Markdown(text string) []string {
	var out []string
	fenced := false
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			out = append(out, "    "+s.on(s.code, line))
			continue
		}
		switch {
		case tableRule.MatchString(trimmed) && strings.Contains(trimmed, "|"):
			out = append(out, s.on(s.dim, strings.Repeat("-", len(trimmed))))
		case heading.MatchString(trimmed):
			out = append(out, s.on(s.bold, s.inline(heading.FindStringSubmatch(trimmed)[1])))
		case listItem.MatchString(line):
			m := listItem.FindStringSubmatch(line)
			out = append(out, m[1]+"• "+s.inline(m[2]))
		case strings.HasPrefix(trimmed, ">"):
			out = append(out, "│ "+s.inline(strings.TrimSpace(strings.TrimPrefix(trimmed, ">"))))
		default:
			out = append(out, s.inline(line))
		}
	}
	for len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	return out
}

// inline renders one line's spans. Code spans are left as they are inside.
func (s style) inline(line string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(line, '`')
		if i < 0 {
			b.WriteString(s.prose(line))
			return b.String()
		}
		j := strings.IndexByte(line[i+1:], '`')
		if j < 0 {
			b.WriteString(s.prose(line))
			return b.String()
		}
		b.WriteString(s.prose(line[:i]))
		b.WriteString(s.on(s.code, line[i:i+j+2]))
		line = line[i+j+2:]
	}
}

// prose renders links, bold and escapes in text with no code spans.
func (s style) prose(text string) string {
	text = inlineLink.ReplaceAllStringFunc(text, func(m string) string {
		g := inlineLink.FindStringSubmatch(m)
		if g[1] == g[2] || g[1] == "" {
			return g[2]
		}
		return fmt.Sprintf("%s (%s)", g[1], g[2])
	})
	text = angleLink.ReplaceAllString(text, "$1")
	text = boldSpan.ReplaceAllStringFunc(text, func(m string) string {
		g := boldSpan.FindStringSubmatch(m)
		return s.on(s.bold, g[1]+g[2])
	})
	return escapedChar.ReplaceAllString(text, "$1")
}

var escape = regexp.MustCompile("\x1b\\[[0-9;]*m")

// wrap breaks line into lines of at most width visible columns, at spaces,
// continuing with the line's own indentation plus two. Escapes take no room.
func wrap(line string, width int) []string {
	visible := func(s string) int { return len([]rune(escape.ReplaceAllString(s, ""))) }
	if width <= 0 || visible(line) <= width {
		return []string{line}
	}
	body := strings.TrimLeft(line, " ")
	indent := strings.Repeat(" ", len(line)-len(body))
	if strings.HasPrefix(body, "• ") || strings.HasPrefix(body, "│ ") {
		indent += "  "
	}
	var out []string
	cur := line[:len(line)-len(body)]
	curw := len(cur)
	for _, word := range strings.Split(body, " ") {
		w := visible(word)
		if curw > len(indent) && curw+1+w > width && strings.TrimSpace(cur) != "" {
			out = append(out, cur)
			cur, curw = indent+word, len(indent)+w
			continue
		}
		if strings.TrimSpace(cur) != "" {
			cur += " "
			curw++
		}
		cur += word
		curw += w
	}
	return append(out, cur)
}
