package jira_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/setbot/setbot"
	"github.com/setbot/setbot/jira/jiratest"
)

// TestToDoReadsTheColumnInRankOrderWithClasses: the TO DO column comes
// back in rank order, not creation order, over more than one page; done
// and in-progress tickets are not in it; each ticket carries the first
// [order] class that selects it (a hotfix in an unreleased version is a
// hotfix), else "other". Every exchange is checked against the contract.
func TestToDoReadsTheColumnInRankOrderWithClasses(t *testing.T) {
	for _, dc := range []bool{false, true} {
		t.Run(map[bool]string{false: "cloud", true: "datacenter"}[dc], func(t *testing.T) {
			c, fake, _ := setup(t, jiratest.Options{DataCenter: dc, ReleasedVersions: []string{"10.0"}})
			add := func(summary, status string, labels []string, versions ...string) string {
				return fake.AddIssue(jiratest.Issue{Summary: summary, Status: status, Labels: labels, FixVersions: versions})
			}
			other := add("other", "", nil)
			cust := add("customer", "", []string{"customer-reported"})
			old := add("released version only", "", nil, "10.0")
			rel := add("release", "", nil, "10.1")
			hot := add("hotfix", "", []string{"hotfix", "customer-reported"}, "10.1")
			add("in progress hotfix", "In Progress", []string{"hotfix"})
			add("done", "Done", []string{"hotfix"})
			var filler []string
			for i := range 60 { // more than one page of 50
				filler = append(filler, add(fmt.Sprintf("filler %d", i), "", nil))
			}
			fake.SetRank(hot, 1) // dragged to the top
			fake.SetRank(other, 1_000_000)

			got, err := c.ToDo(context.Background(), setbot.DefaultOrder(), 100)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			classOf := map[string]int{}
			for _, rt := range got {
				keys = append(keys, string(rt.Key))
				classOf[string(rt.Key)] = rt.Class
			}
			want := append(append([]string{hot, cust, old, rel}, filler...), other)
			if !slices.Equal(keys, want) {
				t.Fatalf("column = %v\nwant     %v", keys, want)
			}
			for key, class := range map[string]int{hot: 0, rel: 1, cust: 2, old: 3, other: 3, filler[0]: 3} {
				if classOf[key] != class {
					t.Errorf("%s class %d, want %d", key, classOf[key], class)
				}
			}
			if v := fake.Violations(); len(v) > 0 {
				t.Errorf("contract violations: %v", v)
			}
		})
	}
}
