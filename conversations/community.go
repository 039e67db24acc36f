package conversations

import (
	"regexp"
	"strings"

	"github.com/setbot/setbot"
)

// The seed's first SET priority is quality problems on the community
// servers (community.mattermost.com and community-daily.mattermost.com).
// Their "customer" is the community server itself: the customer question
// takes "community", "community server" or "community-daily" without a
// user count, and the ticket is labelled LabelCommunity.

// LabelCommunity is the Jira label of a ticket about a community server.
const LabelCommunity = "community"

// Community server names as the intake writes them in Intake.Customer.
const (
	communityServer = "community server (community.mattermost.com)"
	communityDaily  = "community server (community-daily.mattermost.com)"
)

var (
	// communityAnswer is an answer that starts by naming a community
	// server: "community", "the community server", "community-daily, all
	// users". "Community College" does not match.
	communityAnswer = regexp.MustCompile(`(?i)^\s*(the\s+)?community([ -]daily)?(\.mattermost\.com)?(\s+server)?\s*($|[,;:.!(–—-])`)
	// communityHost is a community server's host name anywhere in the text.
	communityHost = regexp.MustCompile(`(?i)\bcommunity(-daily)?\.mattermost\.com\b`)
	// communityOnly is an answer that is nothing but a community server's name.
	communityOnly = regexp.MustCompile(`(?i)^\s*(the\s+)?community(?P<daily>[ -]daily)?(\.mattermost\.com)?(\s+server)?\s*[.!]*\s*$`)
)

// isCommunity reports whether a customer answer names a community server.
func isCommunity(customer string) bool {
	return communityAnswer.MatchString(customer) || communityHost.MatchString(customer)
}

// Community reports whether in is about a community server.
func Community(in setbot.Intake) bool { return isCommunity(in.Customer) }

// Labels are the Jira labels the intake asks for besides the filer's own
// (Intake.Labels): LabelCommunity for a community server.
func Labels(in setbot.Intake) []string {
	if Community(in) {
		return []string{LabelCommunity}
	}
	return nil
}

// communityName writes a bare community server answer ("community",
// "community-daily") in full, and keeps any other answer as given.
func communityName(customer string) string {
	m := communityOnly.FindStringSubmatch(customer)
	switch {
	case m == nil:
		return customer
	case strings.TrimSpace(m[communityOnly.SubexpIndex("daily")]) != "":
		return communityDaily
	}
	return communityServer
}

// withCommunity wraps the customer item: a community server needs no user
// count, and a bare "community" is written in full.
func withCommunity(it *item) *item {
	answer := it.answer
	it.answer = func(s *State, text string) (string, error) {
		note, err := answer(s, text)
		if err == nil {
			s.Intake.Customer = communityName(s.Intake.Customer)
			s.Intake.Labels = Labels(s.Intake)
		}
		return note, err
	}
	return it
}
