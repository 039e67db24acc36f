package dispatch

import (
	"slices"
	"testing"
)

// storedJobKinds are the job kinds setbot has ever written to the outbox.
// A job of each may wait in a store across an upgrade, so each must still
// have a runner: add to this list, never edit or remove from it.
var storedJobKinds = []string{
	"post", "page-thread", "page-ticket", "incident-post", "channel-invite",
	"file", "add-to", "ticket-op", "incident-comment", "page-hook", "cycle-report",
	"similar", "page-post", "ask-sweep", "stale-digest", "triage", "stats", "announce",
}

// TestStoredJobKindsStay fails when a stored job kind is renamed or loses
// its runner, and when a new kind is not added to the list above.
func TestStoredJobKindsStay(t *testing.T) {
	for _, k := range storedJobKinds {
		if spec, ok := jobSpecs[k]; !ok || spec.run == nil {
			t.Errorf("job kind %q is stored in outboxes but has no runner: never rename or remove a job kind", k)
		}
	}
	for k := range jobSpecs {
		if !slices.Contains(storedJobKinds, k) {
			t.Errorf("job kind %q is not in storedJobKinds: add it there, since it is now an on-disk name", k)
		}
	}
}
