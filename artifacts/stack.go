package artifacts

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/setbot/setbot"
)

// goroutineHeader matches the first line of a goroutine's block in a Go
// stack dump: "goroutine 42 [select, 5 minutes]:".
var goroutineHeader = regexp.MustCompile(`(?m)^goroutine (\d+) \[([^\]]+)\]:\s*$`)

// looksLikeStackDump reports whether head starts like a Go stack dump:
// runtime/pprof's goroutine?debug=2 output, or a panic / SIGQUIT dump.
func looksLikeStackDump(head []byte) bool {
	first := firstLine(head)
	if goroutineHeader.Match(first) {
		return true
	}
	for _, p := range []string{"panic:", "fatal error:", "SIGQUIT", "SIGABRT", "runtime:"} {
		if bytes.HasPrefix(first, []byte(p)) {
			return goroutineHeader.Match(head)
		}
	}
	return false
}

// checkStackDump checks data, a goroutine dump (already decompressed);
// size is the size of the upload.
func checkStackDump(f setbot.File, data []byte, size int64) Checked {
	name := displayName(f.Name)
	if size > MaxProfileBytes {
		return refuse(f, "%s is %s; goroutine dumps are limited to %s.", name, HumanBytes(size), HumanBytes(MaxProfileBytes))
	}
	idx := goroutineHeader.FindAllSubmatchIndex(data, -1)
	states := map[string]int{}
	framed := 0
	for i, m := range idx {
		state, _, _ := strings.Cut(string(data[m[4]:m[5]]), ",")
		states[state]++
		end := len(data)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		if len(bytes.TrimSpace(data[m[1]:end])) > 0 {
			framed++
		}
	}
	if framed == 0 {
		return refuse(f, "%s has goroutine headers but no stack frames. %s", name, howTo(setbot.ArtifactStackDump))
	}
	return Checked{Attachment: setbot.Attachment{
		Kind: setbot.ArtifactStackDump, Name: f.Name, FileID: f.ID, Size: size,
		Note: fmt.Sprintf("goroutine dump: %s goroutines (%s)", thousands(len(idx)), topStates(states, 3)),
	}}
}

// topStates lists the n most common goroutine states with their counts.
func topStates(states map[string]int, n int) string {
	type kv struct {
		state string
		count int
	}
	var all []kv
	for s, c := range states {
		all = append(all, kv{s, c})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].count != all[j].count {
			return all[i].count > all[j].count
		}
		return all[i].state < all[j].state
	})
	var parts []string
	for i, e := range all {
		if i == n {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s", thousands(e.count), e.state))
	}
	return strings.Join(parts, ", ")
}
