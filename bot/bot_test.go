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
	sig := s.sign("ack:page1", "ch1", "1800000000")
	if !s.verify("ack:page1", "ch1", "1800000000", sig) {
		t.Fatal("own signature refused")
	}
	for _, c := range [][3]string{
		{"ack:page2", "ch1", "1800000000"}, // another action
		{"ack:page1", "ch2", "1800000000"}, // the context copied to another channel
		{"ack:page1", "ch1", "1900000000"}, // a later expiry
	} {
		if s.verify(c[0], c[1], c[2], sig) {
			t.Errorf("signature accepted for %q", c)
		}
	}
	other := &signer{key: []byte("another key, another key, anoth")}
	if other.verify("ack:page1", "ch1", "1800000000", sig) {
		t.Fatal("signature made with another key accepted")
	}
}
