//go:build e2e

package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

// The fault suite (issue 12): scenarios named TestFault… run against the
// real devstack server by `scripts/test faults` (part of `make test`),
// without the race detector, since they measure. Each registers with
// faultCase; the run ends with "fault suite: N passed, M failed" and every
// scenario's figures.

// faultRun collects the scenarios' outcomes for the summary.
var faultRun struct {
	mu      sync.Mutex
	results []faultResult
}

type faultResult struct {
	name    string
	failed  bool
	figures []string
}

// faultFigures are one scenario's measured figures.
type faultFigures struct {
	t  *testing.T
	mu sync.Mutex
	fs []string
}

// faultCase registers t as a fault scenario; its outcome and figures go to
// the summary when it ends.
func faultCase(t *testing.T) *faultFigures {
	f := &faultFigures{t: t}
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		faultRun.mu.Lock()
		defer faultRun.mu.Unlock()
		faultRun.results = append(faultRun.results, faultResult{name: t.Name(), failed: t.Failed(), figures: f.fs})
	})
	return f
}

// note records a figure (and logs it).
func (f *faultFigures) note(format string, args ...any) {
	f.t.Helper()
	s := fmt.Sprintf(format, args...)
	f.t.Log(s)
	f.mu.Lock()
	f.fs = append(f.fs, s)
	f.mu.Unlock()
}

// printFaultSummary writes the summary, when any scenario ran.
func printFaultSummary(w io.Writer) {
	faultRun.mu.Lock()
	defer faultRun.mu.Unlock()
	rs := faultRun.results
	if len(rs) == 0 {
		return
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].name < rs[j].name })
	failed := 0
	var b strings.Builder
	for _, r := range rs {
		verdict := "passed"
		if r.failed {
			verdict, failed = "FAILED", failed+1
		}
		fmt.Fprintf(&b, "  %s: %s\n", r.name, verdict)
		for _, f := range r.figures {
			fmt.Fprintf(&b, "      %s\n", f)
		}
	}
	fmt.Fprintf(w, "== fault suite: %d passed, %d failed\n%s", len(rs)-failed, failed, b.String())
}

func TestMain(m *testing.M) {
	code := m.Run()
	printFaultSummary(os.Stdout)
	os.Exit(code)
}
