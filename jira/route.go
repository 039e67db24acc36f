package jira

import "fmt"

// Route is where setbot files what is not SET's by the SET process
// (feature requests, low-urgency items): another team's project. Its
// tickets are not assigned, not moved, and carry the route's labels.
type Route struct {
	Project   string   // the project key, e.g. "PM" (required)
	IssueType string   // the issue type for everything routed; "" = "Story"
	Component string   // "" for none
	Labels    []string // besides the fingerprint, customer and priority labels
}

// DefaultRouteIssueType is the issue type of routed tickets when Route
// names none: a feature request becomes a story for the owning team.
const DefaultRouteIssueType = "Story"

// NewRouted returns a client that files into r's project with the Jira
// site, credentials, priorities and accounts of cfg (which is defaulted).
// It finds its own tickets by their fingerprint label within that project,
// so filing stays exactly-once.
func NewRouted(cfg Config, r Route, opts ...Option) (*Client, error) {
	if r.Project == "" {
		return nil, fmt.Errorf("routing.project: must be set to the project key to file routed tickets in")
	}
	if r.IssueType == "" {
		r.IssueType = DefaultRouteIssueType
	}
	cfg.SetDefaults()
	cfg.Project = r.Project
	cfg.IssueTypes = IssueTypes{Bug: r.IssueType, Feature: r.IssueType, Question: r.IssueType}
	component := r.Component
	cfg.Component = &component
	cfg.Labels = append([]string{}, r.Labels...)
	cfg.TeamField = TeamField{}
	cfg.HandoverTeams = nil
	c, err := New(cfg, opts...)
	if err != nil {
		return nil, err
	}
	c.routed = true
	return c, nil
}
