package main

import (
	"errors"

	"github.com/setbot/setbot/jira"
)

// RoutingConfig is [routing]: where feature requests and low-urgency items
// go, since by the SET process they are not SET's. They are filed in that
// project, unassigned and not moved, and announced in Channel (if set),
// never in ~sustained-engineering.
type RoutingConfig struct {
	Project   string   `toml:"project"`
	IssueType string   `toml:"issue_type"`
	Component string   `toml:"component"`
	Labels    []string `toml:"labels"`
	// Channel is a Mattermost channel (name) of the team to announce
	// routed tickets in; "" for none.
	Channel string `toml:"channel"`
	// Team is how people are told where their request went.
	Team string `toml:"team"`
}

// validate checks [routing] when present; it files through [jira].
func (r *RoutingConfig) validate(haveJira bool) error {
	switch {
	case r == nil:
		return nil
	case r.Project == "":
		return errors.New("routing.project: must be set to the Jira project key that feature requests and low-urgency items are filed in")
	case !haveJira:
		return errors.New("routing: needs a [jira] table: routed tickets are filed through the same Jira")
	}
	return nil
}

// route is the Jira side of [routing].
func (r *RoutingConfig) route() jira.Route {
	return jira.Route{Project: r.Project, IssueType: r.IssueType, Component: r.Component, Labels: r.Labels}
}

// team is how people are told where routed requests go.
func (r *RoutingConfig) team() string {
	if r == nil || r.Team == "" {
		return ""
	}
	return r.Team
}
