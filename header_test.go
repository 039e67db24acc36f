package setbot_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/setbot/setbot"
)

func TestHeaderWithSegment(t *testing.T) {
	s := setbot.Shift{Lead: "lee", Primary: "ann", Backup: "bob.b"}
	seg := "SET: lead @lee · primary @ann · backup @bob.b"
	old := "SET: lead @x · primary @y-1 · backup nobody"
	cases := map[string]struct{ in, want string }{
		"empty":             {"", seg},
		"blank":             {"  \n", seg},
		"appended":          {"Welcome! Docs: https://example.com/set", "Welcome! Docs: https://example.com/set | " + seg},
		"replaced in place": {"Welcome | " + old + " | Runbook: [link](https://x)", "Welcome | " + seg + " | Runbook: [link](https://x)"},
		"only ours":         {old, seg},
		"already current":   {"A | " + seg, "A | " + seg},
		"copies removed":    {"A | " + old + " | B | " + old + " | C", "A | " + seg + " | B | C"},
		"hand-written kept": {"SET primary this week: Ann", "SET primary this week: Ann | " + seg},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := setbot.HeaderWithSegment(c.in, s)
			if err != nil || got != c.want {
				t.Fatalf("HeaderWithSegment(%q)\n got %q, %v\nwant %q", c.in, got, err, c.want)
			}
			// Setting it again changes nothing.
			if again, _ := setbot.HeaderWithSegment(got, s); again != got {
				t.Errorf("not idempotent: %q then %q", got, again)
			}
		})
	}
}

func TestHeaderSegmentEmptySeats(t *testing.T) {
	got := setbot.HeaderSegment(setbot.Shift{Primary: "ann"})
	if got != "SET: lead nobody · primary @ann · backup nobody" {
		t.Errorf("HeaderSegment = %q", got)
	}
	s := setbot.Shift{WeekStart: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Lead: "lee", Primary: "ann"}
	if got := s.Line(); got != "2026-11-30: lead @lee · primary @ann · backup nobody" {
		t.Errorf("Line = %q", got)
	}
}

func TestHeaderLimitCountsRunes(t *testing.T) {
	s := setbot.Shift{Lead: "lee", Primary: "ann", Backup: "bob"}
	seg := setbot.HeaderSegment(s)
	room := setbot.MaxHeaderRunes - utf8.RuneCountInString(seg) - len(" | ")

	// Multi-byte runes fill exactly the room left: more than 1,024 bytes, but fits.
	rest := strings.Repeat("é", room)
	got, err := setbot.HeaderWithSegment(rest, s)
	if err != nil || utf8.RuneCountInString(got) != setbot.MaxHeaderRunes {
		t.Fatalf("exactly full: %d runes, %v", utf8.RuneCountInString(got), err)
	}

	// One more rune does not fit: the header is returned unchanged with a
	// sentence that says by how much to shorten it.
	got, err = setbot.HeaderWithSegment(rest+"é", s)
	if setbot.ErrorCode(err) != setbot.ETooLarge || got != rest+"é" {
		t.Fatalf("one over: %v", err)
	}
	if msg := setbot.ErrorMessage(err); !strings.Contains(msg, "by 1 characters") {
		t.Errorf("message %q does not say how much to cut", msg)
	}

	// Replacing a segment in place with a longer one can also overflow.
	short := setbot.HeaderSegment(setbot.Shift{Lead: "a", Primary: "b", Backup: "c"})
	full := strings.Repeat("x", setbot.MaxHeaderRunes-utf8.RuneCountInString(short)-3) + " | " + short
	if _, err := setbot.HeaderWithSegment(full, s); setbot.ErrorCode(err) != setbot.ETooLarge {
		t.Errorf("longer segment in a full header: %v", err)
	}
}
