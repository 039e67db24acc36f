package bot

import (
	"testing"
	"time"
)

func TestMentionsName(t *testing.T) {
	cases := []struct {
		text string
		want bool
	}{
		{"@setbot help", true},
		{"hey @SetBot, who?", true},
		{"@setbot.", true},
		{"@setbotter help", false},
		{"email setbot@example.com", false},
		{"@set bot", false},
		{"", false},
		{"@", false},
		{"ping @other and @setbot", true},
	}
	for _, c := range cases {
		if got := mentionsName(c.text, "setbot"); got != c.want {
			t.Errorf("mentionsName(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

func TestBackoffIsCappedAndJittered(t *testing.T) {
	seen := map[time.Duration]bool{}
	for attempt := 1; attempt <= 40; attempt++ {
		d := backoff(attempt)
		if d < backoffBase/2 || d > backoffCap+backoffBase/2 {
			t.Fatalf("backoff(%d) = %v, outside [%v, %v]", attempt, d, backoffBase/2, backoffCap+backoffBase/2)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Fatalf("backoff is not jittered: only %d distinct delays in 40 attempts", len(seen))
	}
}

func TestSignerRefusesForgedActions(t *testing.T) {
	s := &signer{key: []byte("0123456789abcdef0123456789abcdef")}
	sig := s.sign("ack:page1")
	if !s.verify("ack:page1", sig) {
		t.Fatal("own signature refused")
	}
	if s.verify("ack:page2", sig) {
		t.Fatal("signature of another action accepted")
	}
	other := &signer{key: []byte("another key, another key, anoth")}
	if other.verify("ack:page1", sig) {
		t.Fatal("signature made with another key accepted")
	}
}
