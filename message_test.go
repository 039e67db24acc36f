package setbot

import (
	"strings"
	"testing"
)

func TestFitPostKeepsRunesAndNotes(t *testing.T) {
	long := strings.Repeat("é", MaxPostRunes+10)
	got := []rune(FitPost(long))
	if len(got) > MaxPostRunes || !strings.HasSuffix(string(got), fitNote) {
		t.Fatalf("fitted post has %d runes (want at most %d) and ends %q", len(got), MaxPostRunes, string(got[len(got)-20:]))
	}
	if short := "hello"; FitPost(short) != short {
		t.Fatal("a short post changed")
	}
	// A cut right after an escaping backslash must not leave it dangling.
	escaped := strings.Repeat("a", MaxPostRunes-len([]rune(fitNote))-1) + `\*` + strings.Repeat("b", 100)
	if got := FitPost(escaped); strings.Contains(got, `\`+fitNote) {
		t.Errorf("a dangling escape before the note: %q", got[len(got)-60:])
	}
}
