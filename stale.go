package setbot

import (
	"fmt"
	"strings"
	"time"
)

// StalePolicy is how long an open ticket may go without a Jira update
// before it is stale, by level ([stale]; the seed: SET pushes stuck
// tickets to completion). Index 1–4 are L1–L4; a ticket without a level
// is held to L4's limit.
type StalePolicy [5]time.Duration

// DefaultStalePolicy is [stale]'s defaults: L1 1d, L2 2d, L3 7d, L4 14d.
func DefaultStalePolicy() StalePolicy {
	const day = 24 * time.Hour
	return StalePolicy{L1: day, L2: 2 * day, L3: 7 * day, L4: 14 * day}
}

// Limit is how long a ticket of level p may go without an update.
func (sp StalePolicy) Limit(p Priority) time.Duration {
	if !p.Valid() {
		p = L4
	}
	return sp[p]
}

// String is the policy as people read it: "L1 1d, L2 2d, L3 7d, L4 14d".
func (sp StalePolicy) String() string {
	parts := make([]string, 0, 4)
	for p := L1; p <= L4; p++ {
		parts = append(parts, fmt.Sprintf("%s %s", p, FormatAge(sp[p])))
	}
	return strings.Join(parts, ", ")
}

// Stale returns the tickets of ts that are open and have gone longer
// than their level's limit without an update at now, most urgent first
// (SortTickets). A ticket whose update time is unknown is not stale.
func (sp StalePolicy) Stale(ts []Issue, now time.Time) []Issue {
	var out []Issue
	for _, is := range ts {
		if is.Done || is.Updated.IsZero() {
			continue
		}
		if now.Sub(is.Updated) > sp.Limit(is.Priority) {
			out = append(out, is)
		}
	}
	SortTickets(out)
	return out
}

// StaleByAssignee groups stale tickets by who is to push them, in order
// of first appearance, so that a digest mentions each assignee once. The
// key is the Mattermost username, else "name:<Jira display name>", else
// "" for unassigned tickets.
func StaleByAssignee(ts []Issue) (order []string, by map[string][]Issue) {
	by = map[string][]Issue{}
	for _, is := range ts {
		k := string(is.Assignee)
		if k == "" && is.AssigneeName != "" {
			k = "name:" + is.AssigneeName
		}
		if _, ok := by[k]; !ok {
			order = append(order, k)
		}
		by[k] = append(by[k], is)
	}
	return order, by
}
