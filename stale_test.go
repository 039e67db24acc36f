package setbot

import (
	"slices"
	"testing"
	"time"
)

func TestStalePolicyPicksByLevel(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	ts := []Issue{
		{Key: "SET-1", Priority: L1, Updated: now.Add(-25 * time.Hour)}, // stale: > 1d
		{Key: "SET-2", Priority: L1, Updated: now.Add(-23 * time.Hour)}, // fresh
		{Key: "SET-3", Priority: L3, Updated: now.Add(-6 * day)},        // fresh: < 7d
		{Key: "SET-4", Priority: L3, Updated: now.Add(-8 * day)},        // stale
		{Key: "SET-5", Updated: now.Add(-13 * day)},                     // no level: L4's 14d, fresh
		{Key: "SET-6", Updated: now.Add(-15 * day)},                     // stale
		{Key: "SET-7", Priority: L2, Updated: now.Add(-30 * day), Done: true},
		{Key: "SET-8", Priority: L2}, // update time unknown
	}
	var got []IssueKey
	for _, is := range DefaultStalePolicy().Stale(ts, now) {
		got = append(got, is.Key)
	}
	if want := []IssueKey{"SET-1", "SET-4", "SET-6"}; !slices.Equal(got, want) {
		t.Errorf("stale = %v, want %v", got, want)
	}
	if s := DefaultStalePolicy().String(); s != "L1 1d, L2 2d, L3 7d, L4 14d" {
		t.Errorf("String = %q", s)
	}
}

func TestStaleByAssigneeMentionsEachOnce(t *testing.T) {
	ts := []Issue{
		{Key: "SET-1", Assignee: "alice"}, {Key: "SET-2"}, {Key: "SET-3", Assignee: "alice"},
		{Key: "SET-4", AssigneeName: "Jo Jira"}, {Key: "SET-5"},
	}
	order, by := StaleByAssignee(ts)
	if want := []string{"alice", "", "name:Jo Jira"}; !slices.Equal(order, want) {
		t.Fatalf("order = %q, want %q", order, want)
	}
	if len(by["alice"]) != 2 || len(by[""]) != 2 || len(by["name:Jo Jira"]) != 1 {
		t.Errorf("groups = %v", by)
	}
}

func keys(ts []RankedTicket) (out []IssueKey) {
	for _, t := range ts {
		out = append(out, t.Key)
	}
	return out
}

func TestKanbanOrder(t *testing.T) {
	rt := func(key string, class int) RankedTicket {
		return RankedTicket{Issue: Issue{Key: IssueKey(key)}, Class: class}
	}
	// hotfix=0 release=1 customer=2 other=3
	col := []RankedTicket{rt("A", 1), rt("B", 3), rt("C", 0), rt("D", 2), rt("E", 3), rt("F", 1)}
	mis, want := KanbanOrder(col)
	if w := []IssueKey{"C", "A", "F", "D", "B", "E"}; !slices.Equal(keys(want), w) {
		t.Errorf("want order %v, got %v", w, keys(want))
	}
	type place struct {
		key       IssueKey
		at, where int
	}
	var got []place
	for _, m := range mis {
		got = append(got, place{m.Ticket.Key, m.At, m.Want})
	}
	wantMis := []place{{"C", 3, 1}, {"D", 4, 4}, {"F", 6, 3}}
	if !slices.Equal(got, wantMis) {
		t.Errorf("misplaced = %+v, want %+v", got, wantMis)
	}
	if mis, _ := KanbanOrder(want); len(mis) != 0 {
		t.Errorf("the wanted order is itself out of order: %+v", mis)
	}
	if mis, _ := KanbanOrder(nil); len(mis) != 0 {
		t.Errorf("empty column: %+v", mis)
	}
}

// TestKanbanOrderProperties: for any column, the wanted order is a
// permutation sorted by class, and a column is in order exactly when it
// equals its wanted order.
func TestKanbanOrderProperties(t *testing.T) {
	for seed := 0; seed < 500; seed++ {
		n := seed % 9
		col := make([]RankedTicket, n)
		x := uint32(seed*2654435761 + 1)
		for i := range col {
			x = x*1664525 + 1013904223
			col[i] = RankedTicket{Issue: Issue{Key: IssueKey(string(rune('A' + i)))}, Class: int(x>>16) % 4}
		}
		mis, want := KanbanOrder(col)
		if len(want) != n || !slices.IsSortedFunc(want, func(a, b RankedTicket) int { return a.Class - b.Class }) {
			t.Fatalf("seed %d: want %v not a class-sorted permutation", seed, want)
		}
		same := slices.Equal(keys(col), keys(want))
		if (len(mis) == 0) != same {
			t.Fatalf("seed %d: %d misplaced, but column==want is %v", seed, len(mis), same)
		}
	}
}
