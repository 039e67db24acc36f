package setbot

import (
	"fmt"
	"strings"
)

// Priority is a support priority level, L1 (critical) to L4 (minor). The zero
// value means "not set". Persisted as its number; values only ever grow.
type Priority int

// The support priority levels (shared/seed/priority-levels.md).
const (
	PriorityUnset Priority = iota
	L1
	L2
	L3
	L4
)

var priorityText = [...]struct{ name, line string }{
	L1: {"L1", "critical: production is down for the business, many users cannot work, no workaround"},
	L2: {"L2", "major: production works but the business is severely hurt, some users blocked"},
	L3: {"L3", "moderate: partial, non-critical loss of function, few users affected, stable"},
	L4: {"L4", "minor: non-production problem, question, feature request or documentation"},
}

// String returns "L1" … "L4", or "unset".
func (p Priority) String() string {
	if !p.Valid() {
		return "unset"
	}
	return priorityText[p].name
}

// Describe returns the one-line meaning of the level, from the support
// service levels.
func (p Priority) Describe() string {
	if !p.Valid() {
		return ""
	}
	return priorityText[p].line
}

// Valid reports whether p is one of L1–L4.
func (p Priority) Valid() bool { return p >= L1 && p <= L4 }

// Urgent reports whether p is L1 or L2: those incidents need a status update
// at least daily.
func (p Priority) Urgent() bool { return p == L1 || p == L2 }

// ParsePriority accepts "L1".."L4", "1".."4" and the words critical, major,
// moderate/normal and minor/low, in any case.
func ParsePriority(s string) (Priority, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "l1", "1", "p1", "critical", "urgent":
		return L1, nil
	case "l2", "2", "p2", "major", "high":
		return L2, nil
	case "l3", "3", "p3", "moderate", "normal", "medium":
		return L3, nil
	case "l4", "4", "p4", "minor", "low":
		return L4, nil
	}
	return PriorityUnset, Errorf(EInvalid, "%q is not a priority: answer L1, L2, L3 or L4.", s)
}

// MarshalText implements encoding.TextMarshaler.
func (p Priority) MarshalText() ([]byte, error) {
	if p == PriorityUnset {
		return []byte(""), nil
	}
	if !p.Valid() {
		return nil, fmt.Errorf("invalid priority %d", int(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Priority) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*p = PriorityUnset
		return nil
	}
	v, err := ParsePriority(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}
