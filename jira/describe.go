package jira

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/setbot/setbot"
)

// Jira text fields hold at most 32,767 characters (Jira's
// jira.text.field.character.limit default; Java chars, i.e. UTF-16 units).
const maxDescription = 32767

// Jira summaries hold at most 255 characters on one line.
const maxSummary = 255

// truncatedNote ends a description that had to be cut.
const truncatedNote = "\n\n_(setbot cut this description to fit Jira's limit of 32,767 characters; the full intake is in the Mattermost thread linked under Origin.)_"

// How user text is kept from breaking wiki markup:
//   - multi-line text goes in a {noformat} block, where nothing is markup;
//     the only way out of one is the text "{noformat}", so every
//     "{noformat" inside the text is written "{ noformat", which is no macro;
//   - one-line values put beside a label get every character Jira's
//     renderer treats as markup backslash-escaped, and newlines flattened.

var noformatToken = regexp.MustCompile(`(?i)\{(noformat)`)

// block returns text as a {noformat} block.
func block(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, text)
	text = noformatToken.ReplaceAllString(text, "{ $1")
	return "{noformat}\n" + strings.TrimRight(text, "\n") + "\n{noformat}"
}

// wikiSpecial are the characters Jira's wiki renderer gives a meaning.
const wikiSpecial = "\\*_?-+^~{}[]|!#"

// inline returns one-line text safe beside a label.
func inline(text string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(text) {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		if strings.ContainsRune(wikiSpecial, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// linkURL returns u usable inside [text|u], or "" when it is not an
// http(s) URL.
func linkURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return ""
	}
	s := p.String()
	for _, r := range []struct{ from, to string }{{"|", "%7C"}, {"]", "%5D"}, {"[", "%5B"}, {" ", "%20"}, {"{", "%7B"}, {"}", "%7D"}} {
		s = strings.ReplaceAll(s, r.from, r.to)
	}
	return s
}

// link is a wiki link with escaped text, or the escaped text alone.
func link(text, u string) string {
	if lu := linkURL(u); lu != "" {
		return "[" + inline(text) + "|" + lu + "]"
	}
	return inline(text)
}

// attachName is the name a file gets in Jira: without the characters that
// end an attachment reference ([^name]) or a link.
func attachName(name string) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune("[]|{}^\\/", r) || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	if name == "" {
		return "file"
	}
	return name
}

// describer builds a ticket's description.
type describer struct {
	in          setbot.Intake
	files       map[string]setbot.TicketFile // by attachName
	tooLarge    map[string]bool              // by attachName
	uploadLimit int64
}

func (d describer) section(b *strings.Builder, title string) {
	fmt.Fprintf(b, "\nh2. %s\n", title)
}

func (d describer) field(b *strings.Builder, label, value string) {
	if strings.TrimSpace(value) == "" {
		value = "not given"
	}
	fmt.Fprintf(b, "*%s:* %s\n", label, inline(value))
}

func (d describer) text(b *strings.Builder, value string) {
	if strings.TrimSpace(value) == "" {
		b.WriteString("_not given_\n")
		return
	}
	b.WriteString(block(value) + "\n")
}

// file describes one collected file: attached, or linked when too large.
func (d describer) file(a setbot.Attachment, kind string) string {
	name := attachName(a.Name)
	var s string
	switch f, ok := d.files[name]; {
	case ok && d.tooLarge[name]:
		s = tooLargeLine(a.Name, f.Link, d.uploadLimit)
	case ok:
		s = "[^" + name + "]"
	default:
		s = inline(a.Name) + " — not attached"
	}
	if kind != "" {
		s += " (" + kind + ")"
	}
	if a.Note != "" {
		s += ": " + inline(a.Note)
	}
	return s
}

var artifactNames = map[setbot.ArtifactKind]string{
	setbot.ArtifactConfig: "configuration", setbot.ArtifactLog: "log", setbot.ArtifactCPUProfile: "CPU profile",
	setbot.ArtifactHeapProfile: "heap profile", setbot.ArtifactStackDump: "goroutine dump", setbot.ArtifactSupportPacket: "support packet",
}

// describe returns the description in Jira wiki markup, within Jira's limit.
func (d describer) describe() string {
	in := d.in
	var b strings.Builder
	b.WriteString("_Filed by setbot from a support escalation. Everything below was given by the support engineer._\n")
	d.section(&b, "Summary")
	d.text(&b, in.Summary)
	if strings.TrimSpace(in.Description) != "" {
		b.WriteString("*As first told:*\n")
		d.text(&b, in.Description)
	}
	d.section(&b, "What is affected")
	d.text(&b, in.Affected)
	d.section(&b, "Customer & impact")
	d.field(&b, "Customer", in.Customer)
	b.WriteString("*Impact:*\n")
	d.text(&b, in.Impact)
	d.section(&b, "Priority")
	if in.Priority.Valid() {
		fmt.Fprintf(&b, "*%s* — %s\n", in.Priority, in.Priority.Describe())
	} else {
		b.WriteString("_not set_\n")
	}
	d.section(&b, "Type")
	fmt.Fprintf(&b, "%s", in.Type)
	if in.Symptom != setbot.SymptomNone {
		fmt.Fprintf(&b, "; symptom: %s", in.Symptom)
	}
	b.WriteString("\n")
	d.section(&b, "Mattermost version")
	d.field(&b, "Version", in.Version)
	d.section(&b, "Database")
	d.field(&b, "Database", strings.TrimSpace(in.Database.Type+" "+in.Database.Version))
	d.section(&b, "Configuration")
	switch {
	case in.Config != nil:
		b.WriteString(d.file(*in.Config, "redacted copy") + "\n")
		if len(in.Config.Redacted) > 0 {
			b.WriteString("Values replaced before attaching:\n")
			for _, r := range in.Config.Redacted {
				b.WriteString("* " + inline(r) + "\n")
			}
		} else {
			b.WriteString("No values needed replacing.\n")
		}
	default:
		d.field(&b, "No configuration", in.NoConfig)
	}
	d.list(&b, "Logs", in.Logs, in.NoLogs)
	d.list(&b, "Profiles and stack dump", in.Profiles, in.NoProfile)
	d.section(&b, "Support packet")
	if in.Packet != nil {
		b.WriteString(d.file(*in.Packet, "") + "\n")
	} else {
		b.WriteString("_none given_\n")
	}
	d.section(&b, "Origin")
	if in.Permalink != "" {
		b.WriteString(link("Mattermost thread where this started", in.Permalink) + "\n")
	} else {
		b.WriteString("Started in a direct message with setbot.\n")
	}
	d.section(&b, "Reported by")
	fmt.Fprintf(&b, "@%s via setbot", inline(string(in.Username)))
	if !in.Confirmed.IsZero() {
		fmt.Fprintf(&b, ", confirmed %s", in.Confirmed.UTC().Format(time.RFC3339))
	}
	b.WriteString("\n")
	return fitDescription(b.String())
}

func (d describer) list(b *strings.Builder, title string, as []setbot.Attachment, why string) {
	d.section(b, title)
	if len(as) == 0 {
		if strings.TrimSpace(why) != "" {
			d.field(b, "None, because", why)
			return
		}
		b.WriteString("_none given_\n")
		return
	}
	for _, a := range as {
		b.WriteString("* " + d.file(a, artifactNames[a.Kind]) + "\n")
	}
}

// utf16Len counts characters as Jira (Java) does.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// cutUTF16 returns the longest prefix of s of at most n UTF-16 units.
func cutUTF16(s string, n int) string {
	used := 0
	for i, r := range s {
		used += utf16.RuneLen(r)
		if used > n {
			return s[:i]
		}
	}
	return s
}

// fitDescription cuts desc to Jira's limit, closing an open {noformat}
// block and saying that it was cut.
func fitDescription(desc string) string {
	if utf16Len(desc) <= maxDescription {
		return desc
	}
	const closer = "\n{noformat}"
	cut := cutUTF16(desc, maxDescription-utf16Len(truncatedNote)-utf16Len(closer))
	if i := strings.LastIndexByte(cut, '\n'); i > len(cut)-200 && i > 0 {
		cut = cut[:i]
	}
	if strings.Count(cut, "{noformat}")%2 == 1 {
		cut += closer
	}
	return cut + truncatedNote
}

// summary is the intake's summary as a Jira summary: one line, within the limit.
func summary(in setbot.Intake) string {
	s := strings.Join(strings.FieldsFunc(in.Summary, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if s == "" {
		s = "Support escalation " + in.ID
	}
	if utf16Len(s) > maxSummary {
		s = cutUTF16(s, maxSummary-1) + "…"
	}
	return s
}
