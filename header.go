package setbot

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// headerSeparator joins setbot's segment to the rest of a channel header.
const headerSeparator = " | "

// nobody stands in the header for an empty seat.
const nobody = "nobody"

// headerSegment matches the one segment of the ~sustained-engineering header
// that setbot keeps: "SET: lead @x · primary @y · backup @z", with "nobody"
// for an empty seat. Only this exact shape is setbot's; the rest of the
// header is left as people wrote it.
var headerSegment = regexp.MustCompile(`SET: lead (?:@[\w.\-]+|` + nobody + `) · primary (?:@[\w.\-]+|` + nobody + `) · backup (?:@[\w.\-]+|` + nobody + `)`)

// HeaderSegment is the header segment for a shift:
// "SET: lead @x · primary @y · backup @z".
func HeaderSegment(s Shift) string { return "SET: " + seats(s, mention) }

// Line is the shift as one line of "@setbot who" and "@setbot rotation":
// "2026-11-30: lead @x · primary @y · backup @z".
func (s Shift) Line() string { return s.Week() + ": " + seats(s, mention) }

// seats is "lead X · primary Y · backup Z" with each person written by name
// and an empty seat as "nobody": the one shape of a team on a line.
func seats(s Shift, name func(Username) string) string {
	seat := func(u Username) string {
		if u == "" {
			return nobody
		}
		return name(u)
	}
	return "lead " + seat(s.Lead) + " · primary " + seat(s.Primary) + " · backup " + seat(s.Backup)
}

// mention writes u so that Mattermost notifies them: "@u".
func mention(u Username) string { return "@" + string(u) }

// HeaderWithSegment returns header with setbot's segment set to the shift's:
// the first existing segment is replaced in place, any further copies are
// removed, and a header without one gets it appended after " | ". The rest is
// kept as written. When the result would not fit MaxHeaderRunes it returns an
// ETooLarge *Error that says how much to shorten; the caller compares the
// result with header to skip a write that changes nothing.
func HeaderWithSegment(header string, s Shift) (string, error) {
	seg := HeaderSegment(s)
	var out string
	if locs := headerSegment.FindAllStringIndex(header, -1); len(locs) > 0 {
		var b strings.Builder
		b.WriteString(header[:locs[0][0]])
		b.WriteString(seg)
		last := locs[0][1]
		for _, l := range locs[1:] {
			between := header[last:l[0]]
			// Drop the extra copy together with the separator that joined it.
			b.WriteString(strings.TrimSuffix(between, headerSeparator))
			last = l[1]
		}
		b.WriteString(header[last:])
		out = b.String()
	} else if strings.TrimSpace(header) == "" {
		out = seg
	} else {
		out = strings.TrimRight(header, " \t\n") + headerSeparator + seg
	}
	if n := utf8.RuneCountInString(out); n > MaxHeaderRunes {
		return header, Errorf(ETooLarge, "The channel header would be %d characters long with the SET segment (%q), more than Mattermost's limit of %d: please shorten the rest of the header by %d characters.", n, seg, MaxHeaderRunes, n-MaxHeaderRunes)
	}
	return out, nil
}
