package conversations

import (
	"reflect"
	"testing"

	"github.com/setbot/setbot"
)

func TestCommunityAnswers(t *testing.T) {
	cases := []struct {
		text, customer string // customer: as kept; "" when refused
	}{
		{"community", communityServer},
		{"Community server.", communityServer},
		{"the community server", communityServer},
		{"community.mattermost.com", communityServer},
		{"community-daily", communityDaily},
		{"Community daily", communityDaily},
		{"community-daily.mattermost.com", communityDaily},
		{"community server, everyone who opens a thread", "community server, everyone who opens a thread"},
		{"our staff on community.mattermost.com", "our staff on community.mattermost.com"},
		{"Acme Corp", ""},
		{"Community College of Denver", ""},
		{"Community College of Denver, 40 users", "Community College of Denver, 40 users"},
	}
	for _, c := range cases {
		var s State
		_, err := customerItem.answer(&s, c.text)
		if got := s.Intake.Customer; got != c.customer || (err == nil) != (c.customer != "") {
			t.Errorf("%q: customer %q, err %v; want %q", c.text, got, err, c.customer)
		}
		want := []string(nil)
		if isCommunity(c.customer) {
			want = []string{LabelCommunity}
		}
		if !reflect.DeepEqual(s.Intake.Labels, want) {
			t.Errorf("%q: labels %v, want %v", c.text, s.Intake.Labels, want)
		}
	}
}

func TestLabels(t *testing.T) {
	if got := Labels(setbot.Intake{Customer: communityDaily}); !reflect.DeepEqual(got, []string{LabelCommunity}) {
		t.Errorf("community labels = %v", got)
	}
	if got := Labels(setbot.Intake{Customer: "Acme, 300 users"}); got != nil {
		t.Errorf("customer labels = %v", got)
	}
}

// TestTranscriptCommunity: a problem on a community server needs no user
// count, and its ticket is labelled community.
func TestTranscriptCommunity(t *testing.T) {
	steps := []step{
		say("community-daily is slow: switching channels takes 10 s since this morning's deploy"),
		say("yes"),
		say("ok"),
		say("web app: switching channels (GET /api/v4/channels/{id}/posts)"),
		say("community-daily"),
		say("everyone on community-daily waits 10 s per channel switch"),
		say("bug"),
		say("L2"),
		say("10.12.0"),
		say("PostgreSQL 14.8"),
		say("not available: the cloud team holds the community servers' configuration"),
		say("not available: the cloud team holds the logs too"),
		say("none"),
		say("skip"),
		say("confirm"),
	}
	got, end := run(t, testFlow, steps)
	golden(t, "community", got)
	if end.Phase != PhaseFiling || end.Intake.Customer != communityDaily || !Community(end.Intake) {
		t.Errorf("phase %s, customer %q", end.Phase, end.Intake.Customer)
	}
}
